import type { Message, WebhookEvent } from "@sparkbot/core";

/** The `id` and `name` of the envelopes the backfill builds, so that logs tell them apart. */
export const BACKFILL_ORIGIN = { id: "sparkbot-backfill", name: "SparkBot backfill" } as const;

/**
 * The `messages/created` envelope Webex would have POSTed for `message`: the same ids, so the
 * same job id (`jobIdFor`) as the webhook's, and the same job whichever path brings it.
 */
export function messageCreatedEventFor(message: Message): WebhookEvent {
  return {
    ...BACKFILL_ORIGIN,
    targetUrl: "",
    resource: "messages",
    event: "created",
    created: message.created,
    actorId: message.personId,
    data: {
      id: message.id,
      roomId: message.roomId,
      ...(message.roomType !== undefined ? { roomType: message.roomType } : {}),
      personId: message.personId,
      personEmail: message.personEmail,
      ...(message.mentionedPeople !== undefined
        ? { mentionedPeople: message.mentionedPeople }
        : {}),
      ...(message.parentId !== undefined ? { parentId: message.parentId } : {}),
      created: message.created,
    },
  };
}
