import {
  WebexApiError,
  sameWebexId,
  type AttachmentAction,
  type Membership,
  type Message,
  type Person,
  type WebexClient,
  type WebhookEvent,
} from "@sparkbot/core";

/** The kinds of event the worker runs. */
export type EventKind = "message" | "cardAction" | "membership";

/** What one queued event is to the bot, fetched from Webex as needed; or why nothing runs. */
export type PreparedEvent =
  | { kind: "message"; message: Message }
  | { kind: "cardAction"; action: AttachmentAction; message: Message }
  | { kind: "membership"; membership: Membership }
  | { kind: "skip"; status: "ignored" | "own_message"; reason: string; count?: "card_gone" };

/**
 * Reads what an event is about: for `messages/created`, the message (the webhook carries no
 * text); for `attachmentActions/created`, the action (the webhook carries no inputs) and the
 * card's message; for `memberships/created|deleted`, the membership (the webhook's `data`).
 * The bot's own messages and acts, other events, and objects gone from Webex run nothing.
 * Retryable Webex errors propagate (the job is retried).
 */
export async function prepareEvent(
  event: WebhookEvent,
  webex: WebexClient,
  self: Person,
): Promise<PreparedEvent> {
  const own = (personId: string | undefined): boolean =>
    personId !== undefined && sameWebexId(personId, self.id);
  const kind = `${event.resource}/${event.event}`;
  if (kind === "messages/created") {
    if (own(event.data.personId)) return skip("own_message", "the bot's own message");
    const message = await webex.messages.get(event.data.id);
    if (own(message.personId)) return skip("own_message", "the bot's own message");
    return { kind: "message", message };
  }
  if (kind === "attachmentActions/created") {
    if (own(event.data.personId)) return skip("own_message", "the bot's own card action");
    const action = await gone(() => webex.attachmentActions.get(event.data.id));
    if (action === undefined) return skip("ignored", "the card action is not known to Webex");
    const message = await gone(() => webex.messages.get(action.messageId));
    if (message === undefined) {
      return { ...skip("ignored", "the card's message was deleted"), count: "card_gone" };
    }
    return { kind: "cardAction", action, message };
  }
  if (kind === "memberships/created" || kind === "memberships/deleted") {
    const membership = membershipOf(event);
    if (membership === undefined) {
      return skip("ignored", "the membership event has no personId or roomId");
    }
    return { kind: "membership", membership };
  }
  return skip("ignored", `the worker does not handle ${kind}`);
}

type Skip = Extract<PreparedEvent, { kind: "skip" }>;

function skip(status: "ignored" | "own_message", reason: string): Skip {
  return { kind: "skip", status, reason };
}

/** The result of `read`, or undefined when Webex answers 404 (the object is gone). */
async function gone<T>(read: () => Promise<T>): Promise<T | undefined> {
  try {
    return await read();
  } catch (error) {
    if (error instanceof WebexApiError && error.status === 404) return undefined;
    throw error;
  }
}

/** The membership a `memberships` event carries in its `data`, when it names person and room. */
function membershipOf(event: WebhookEvent): Membership | undefined {
  const { data } = event;
  if (typeof data.personId !== "string" || typeof data.roomId !== "string") return undefined;
  return {
    ...data,
    personId: data.personId,
    roomId: data.roomId,
    personEmail: data.personEmail ?? "",
  };
}
