import { randomUUID } from "node:crypto";
import type { AttachmentAction, Membership, Message } from "../webex/types.js";
import type { WebhookEvent } from "../webex/webhook-event.js";

function envelope(
  resource: string,
  event: string,
  actorId: string | undefined,
  data: WebhookEvent["data"],
): WebhookEvent {
  return {
    id: randomUUID(),
    name: "sparkbot",
    targetUrl: "http://localhost/sparkbot",
    resource,
    event,
    ...(actorId === undefined ? {} : { actorId }),
    data,
  };
}

/** The `messages/created` webhook envelope Webex would post for `message`. */
export function webhookEventFor(message: Message): WebhookEvent {
  return {
    ...envelope("messages", "created", message.personId, {
      id: message.id,
      roomId: message.roomId,
      ...(message.roomType === undefined ? {} : { roomType: message.roomType }),
      personId: message.personId,
      personEmail: message.personEmail,
      created: message.created,
      ...(message.mentionedPeople === undefined
        ? {}
        : { mentionedPeople: message.mentionedPeople }),
    }),
    created: message.created,
  };
}

/** The `attachmentActions/created` envelope: the action without its `inputs`, as Webex sends it. */
export function actionEventFor(action: AttachmentAction): WebhookEvent {
  const { inputs: _inputs, ...data } = action;
  return envelope("attachmentActions", "created", action.personId, data);
}

/** The `memberships/created` or `memberships/deleted` envelope: `data` is the membership. */
export function membershipEventFor(
  membership: Membership,
  event: "created" | "deleted",
  actorId: string | undefined,
): WebhookEvent {
  return envelope("memberships", event, actorId, { ...membership });
}
