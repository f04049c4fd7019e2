import type { Server } from "node:http";
import type { AttachmentAction, Message } from "@sparkbot/core";
import type { MembershipChange } from "../services.js";
import type { EmulatorStore } from "../state/store.js";
import type { EventEmitter } from "node:events";
import { cardActionActivity, membershipActivity, messageActivity } from "./activities.js";
import type { MercuryHub } from "./hub.js";

/**
 * Connects the hub to the emulator: upgrades on `server` go to it, and every new message,
 * card submission and membership change becomes an activity for the devices concerned.
 */
export function mountMercury(
  hub: MercuryHub,
  server: Server,
  events: EventEmitter,
  store: EmulatorStore,
  baseUrl: string,
): void {
  server.on("upgrade", (req, socket, head) => {
    if (!hub.handleUpgrade(req, socket, head)) {
      socket.end("HTTP/1.1 404 Not Found\r\nConnection: close\r\nContent-Length: 0\r\n\r\n");
    }
  });
  events.on("message", (message: Message) => hub.publish(messageActivity(store, message, baseUrl)));
  events.on("attachment-action", (action: AttachmentAction) =>
    hub.publish(cardActionActivity(store, action, baseUrl)),
  );
  events.on("membership-change", (change: MembershipChange) =>
    hub.publish(membershipActivity(store, change, baseUrl)),
  );
}
