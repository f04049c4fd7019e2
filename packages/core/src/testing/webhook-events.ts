import { randomUUID } from "node:crypto";
import type { AttachmentAction, Membership, Message } from "../webex/types.js";
import type { WebhookEvent } from "../webex/webhook-event.js";
import { buildWebhookEvent, type EventOrigin } from "../webex/webhook-event-builder.js";

/** The origin of the harness's envelopes: a webhook named `sparkbot` on localhost. */
function origin(): EventOrigin {
  return { id: randomUUID(), name: "sparkbot", targetUrl: "http://localhost/sparkbot" };
}

/** The `messages/created` webhook envelope Webex would post for `message`. */
export function webhookEventFor(message: Message): WebhookEvent {
  return buildWebhookEvent({ resource: "messages", event: "created", message }, origin());
}

/** The `attachmentActions/created` envelope: the action without its `inputs`, as Webex sends it. */
export function actionEventFor(action: AttachmentAction): WebhookEvent {
  return buildWebhookEvent({ resource: "attachmentActions", event: "created", action }, origin());
}

/** The `memberships/created` or `memberships/deleted` envelope: `data` is the membership. */
export function membershipEventFor(
  membership: Membership,
  event: "created" | "deleted",
  actorId: string | undefined,
): WebhookEvent {
  return buildWebhookEvent(
    { resource: "memberships", event, membership, ...(actorId === undefined ? {} : { actorId }) },
    origin(),
  );
}
