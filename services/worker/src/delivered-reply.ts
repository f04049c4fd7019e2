import {
  WebexApiError,
  sameWebexId,
  type Message,
  type Person,
  type WebexClient,
} from "@sparkbot/core";
import type { Logger } from "@sparkbot/core";
import type { DeliveryLedger } from "./delivery-ledger.js";

/** Clock difference tolerated between this host and Webex when comparing `created` times. */
export const CLOCK_SKEW_MS = 2_000;
/** How many of the room's (or thread's) latest messages are searched. */
export const SEARCH_DEPTH = 50;

/**
 * For a reply whose send an earlier attempt began but never recorded as done: looks among the
 * room's latest messages for one by the bot with the same markdown, created since that attempt
 * recorded its intent, and not already recorded for another reply of this job. Returns its id,
 * or undefined when there is none, or when the room cannot be listed (Webex refuses bots most
 * group-room listings; then the reply is sent again rather than risk losing it). Retryable Webex
 * errors propagate, so the attempt is retried.
 */
export async function findDeliveredReply(
  deps: { webex: WebexClient; self: Person; logger: Logger },
  ledger: DeliveryLedger,
  message: Message,
  markdown: string,
  intentAt: number,
): Promise<string | undefined> {
  let recent: Message[];
  try {
    recent = await deps.webex.messages.list(
      {
        roomId: message.roomId,
        max: SEARCH_DEPTH,
        ...(message.parentId !== undefined ? { parentId: message.parentId } : {}),
      },
      { limit: SEARCH_DEPTH },
    );
  } catch (error) {
    if (!(error instanceof WebexApiError) || error.retryable) throw error;
    deps.logger.warn("cannot check the room for an unconfirmed reply; sending it again", {
      status: error.status,
    });
    return undefined;
  }
  const known = await ledger.sentMessageIds();
  const match = recent.find(
    (candidate) =>
      sameWebexId(candidate.personId, deps.self.id) &&
      candidate.markdown === markdown &&
      !known.has(candidate.id) &&
      Date.parse(candidate.created) >= intentAt - CLOCK_SKEW_MS,
  );
  return match?.id;
}
