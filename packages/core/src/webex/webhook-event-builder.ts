import type { AttachmentAction, Membership, Message } from "./types.js";
import type { WebhookEvent } from "./webhook-event.js";

/*
 * The webhook envelope Webex would POST for an object, built wherever an event reaches SparkBot
 * by another path — the backfill (a message listed over REST), the websocket listener (an
 * activity, its object fetched over REST) and the test harness. `data` is what the webhook
 * carries (ids, never text), so `jobIdFor` gives the job id the webhook's event would have had:
 * one job whichever path brings an event.
 */

/** Who built an envelope: its `id`, `name` and `targetUrl` (a webhook's, or a path's own). */
export interface EventOrigin {
  id: string;
  name: string;
  targetUrl: string;
}

/** The object an envelope is built for. */
export type WebhookSubject =
  | { resource: "messages"; event: "created"; message: Message }
  | { resource: "attachmentActions"; event: "created"; action: AttachmentAction }
  | {
      resource: "memberships";
      event: "created" | "deleted";
      membership: Membership;
      /** Who added or removed the person (the person themself when they left). */
      actorId?: string;
    };

/** Builds the webhook-shaped envelope of `subject`, stamped with `origin`. */
export function buildWebhookEvent(subject: WebhookSubject, origin: EventOrigin): WebhookEvent {
  const head = { id: origin.id, name: origin.name, targetUrl: origin.targetUrl };
  switch (subject.resource) {
    case "messages": {
      const { message } = subject;
      return {
        ...head,
        resource: "messages",
        event: "created",
        created: message.created,
        actorId: message.personId,
        data: messageData(message),
      };
    }
    case "attachmentActions": {
      // Webex never puts the submitted inputs in a webhook: the worker fetches the action.
      const { inputs: _inputs, ...data } = subject.action;
      return {
        ...head,
        resource: "attachmentActions",
        event: "created",
        actorId: subject.action.personId,
        data,
      };
    }
    case "memberships":
      return {
        ...head,
        resource: "memberships",
        event: subject.event,
        ...(subject.actorId === undefined ? {} : { actorId: subject.actorId }),
        data: { ...subject.membership },
      };
  }
}

function messageData(message: Message): WebhookEvent["data"] {
  return {
    id: message.id,
    roomId: message.roomId,
    ...(message.roomType !== undefined ? { roomType: message.roomType } : {}),
    personId: message.personId,
    personEmail: message.personEmail,
    ...(message.parentId !== undefined ? { parentId: message.parentId } : {}),
    ...(message.mentionedPeople !== undefined ? { mentionedPeople: message.mentionedPeople } : {}),
    ...(message.files !== undefined ? { files: message.files } : {}),
    created: message.created,
  };
}
