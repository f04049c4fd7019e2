import type { EventEmitter } from "node:events";
import type { Membership, Message } from "@sparkbot/core";
import type { FaultInjector } from "./faults.js";
import type { EmulatorStore } from "./state/store.js";
import type { WebhookDelivery } from "./webhooks/delivery.js";
import { membershipCreated, messageCreated } from "./webhooks/events.js";

/** What every route needs: the state, the webhook delivery, the event bus and the faults. */
export interface EmulatorServices {
  store: EmulatorStore;
  delivery: WebhookDelivery;
  events: EventEmitter;
  faults: FaultInjector;
}

/** Stores a new message, announces it on `events` and delivers it to matching webhooks. */
export function publishMessage(services: EmulatorServices, message: Message): void {
  const { store, events, delivery } = services;
  store.addMessage(message);
  const room = store.rooms.get(message.roomId);
  if (room) room.lastActivity = message.created;
  events.emit("message", message);
  delivery.dispatch(messageCreated(store, message));
}

/** Announces new memberships to the webhooks that want `memberships/created`. */
export function publishMemberships(
  services: EmulatorServices,
  memberships: Membership[],
  actorId: string,
): void {
  for (const membership of memberships) {
    services.events.emit("membership", membership);
    services.delivery.dispatch(membershipCreated(services.store, membership, actorId));
  }
}
