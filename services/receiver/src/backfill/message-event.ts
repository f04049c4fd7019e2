import { buildWebhookEvent, type Message, type WebhookEvent } from "@sparkbot/core";

/** The `id` and `name` of the envelopes the backfill builds, so that logs tell them apart. */
export const BACKFILL_ORIGIN = { id: "sparkbot-backfill", name: "SparkBot backfill" } as const;

/**
 * The `messages/created` envelope Webex would have POSTed for `message`: the same ids, so the
 * same job id (`jobIdFor`) as the webhook's, and the same job whichever path brings it.
 */
export function messageCreatedEventFor(message: Message): WebhookEvent {
  return buildWebhookEvent(
    { resource: "messages", event: "created", message },
    { ...BACKFILL_ORIGIN, targetUrl: "" },
  );
}
