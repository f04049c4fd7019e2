import type { EventEmitter } from "node:events";
import type { Membership, Message } from "@sparkbot/core";
import type { FaultInjector } from "./faults.js";
import type { DeviceRegistry } from "./mercury/devices.js";
import type { MercuryHub } from "./mercury/hub.js";
import { HttpError } from "./http/context.js";
import type { WebexRules } from "./state/card-rules.js";
import type { EmulatorStore } from "./state/store.js";
import type { WebhookDelivery } from "./webhooks/delivery.js";
import { membershipCreated, membershipDeleted, messageCreated } from "./webhooks/events.js";

/** What every route needs: the state, the webhook delivery, the event bus, faults and rules. */
export interface EmulatorServices {
  store: EmulatorStore;
  delivery: WebhookDelivery;
  events: EventEmitter;
  faults: FaultInjector;
  /** Webex behaviours its documentation leaves open (changeable through the control API). */
  rules: WebexRules;
  /** The rules the emulator started with (`POST /_emulator/reset` goes back to them). */
  baseRules: Readonly<WebexRules>;
  /** WDM's registered devices. */
  devices: DeviceRegistry;
  /** The websocket (Mercury) connections of those devices. */
  mercury: MercuryHub;
}

/** A change of a room's members, as the chat page shows it. */
export interface MembershipChange {
  event: "created" | "deleted";
  membership: Membership;
  /** Who did it (added, removed; the person themself when they left). */
  actorId: string;
  at: string;
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
    recordChange(services, {
      event: "created",
      membership,
      actorId,
      at: membership.created ?? services.store.isoNow(),
    });
    services.delivery.dispatch(membershipCreated(services.store, membership, actorId));
  }
}

/**
 * Adds `personId` to a group room as `actorId` did (409 for direct rooms and members), and
 * tells the webhooks.
 */
export function addMember(
  services: EmulatorServices,
  roomId: string,
  personId: string,
  actorId: string,
  isModerator = false,
): Membership {
  const { store } = services;
  const room = store.rooms.get(roomId);
  if (!room) throw new HttpError(404, "Could not find a room with provided ID.");
  store.requirePerson(personId);
  if (room.type === "direct") throw new HttpError(409, "Cannot add people to a direct room.");
  if (store.isMember(roomId, personId)) throw new HttpError(409, "Person is already in the room.");
  const membership = store.addMembership(roomId, personId, isModerator);
  publishMemberships(services, [membership], actorId);
  return membership;
}

/**
 * Removes a membership as `actorId` did (the person themself: they left), and tells the
 * webhooks that want `memberships/deleted` — the room's members and the person removed. Webex
 * has no such event for direct rooms, whose members cannot leave (409).
 */
export function removeMember(
  services: EmulatorServices,
  membership: Membership,
  actorId: string,
): void {
  const { store } = services;
  if (store.rooms.get(membership.roomId)?.type === "direct") {
    throw new HttpError(409, "Cannot remove people from a direct room.");
  }
  store.removeMembership(membership.id);
  services.events.emit("membership-deleted", membership);
  recordChange(services, { event: "deleted", membership, actorId, at: store.isoNow() });
  services.delivery.dispatch(membershipDeleted(store, membership, actorId));
}

function recordChange(services: EmulatorServices, change: MembershipChange): void {
  const log = services.store.membershipChanges;
  log.push(change);
  if (log.length > 10_000) log.splice(0, log.length - 10_000);
  services.events.emit("membership-change", change);
}
