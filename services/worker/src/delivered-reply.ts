import {
  WebexApiError,
  sameWebexId,
  type Logger,
  type Message,
  type Person,
  type Reply,
  type WebexClient,
} from "@sparkbot/core";
import { sameContent } from "./reply-content.js";
import { DEFAULT_CLAIM_TTL_SECONDS, type DeliveryLedger } from "./delivery-ledger.js";

/** Clock difference tolerated between this host and Webex when comparing `created` times. */
export const CLOCK_SKEW_MS = 2_000;
/** Messages asked for per page while searching a room back to an intent. */
export const SEARCH_PAGE_SIZE = 100;
/**
 * An intent older than the claims' lifetime minus this margin is not searched for: messages
 * created after it may have lost their claims, and could be taken for this reply wrongly.
 */
const CLAIM_MARGIN_MS = 5 * 60_000;

/** One reply whose earlier send has an unknown outcome. */
export interface UnsureReply {
  jobId: string;
  index: number;
  roomId: string;
  roomType: Message["roomType"];
  /** The reply: its content and its thread (`parentId`). */
  reply: Reply;
  /** When the intent to send it was first recorded (ms since the epoch). */
  intentAt: number;
}

/** What the search concluded. */
export type SearchResult =
  | { outcome: "found"; messageId: string }
  | { outcome: "absent" }
  | { outcome: "unverifiable"; reason: "group_room" | "not_listable" | "intent_too_old" };

/**
 * Looks for the message an earlier attempt may have created for `reply`: by the bot, with the
 * same content (see `sameContent`: markdown or text, card, number of files), in the same room
 * or thread, created after the intent (less `CLOCK_SKEW_MS`),
 * and claimed by no other reply. The room is read page by page, newest first, back to the
 * intent (no fixed depth); the oldest matching unclaimed message is claimed for this reply
 * atomically (`ledger.record`), so two replies never share one message.
 *
 * Webex lets bots list a group room's messages only when they mention the bot, so in group
 * rooms (and wherever listing is refused) the outcome cannot be verified: "unverifiable", and
 * the caller sends again (a rare duplicate rather than a lost reply). Retryable Webex errors
 * propagate, so the attempt is retried.
 */
export async function findDeliveredReply(
  deps: { webex: WebexClient; self: Person; logger: Logger; claimTtlSeconds?: number },
  ledger: DeliveryLedger,
  reply: UnsureReply,
): Promise<SearchResult> {
  if (reply.roomType === "group") return { outcome: "unverifiable", reason: "group_room" };
  const claimTtlMs = (deps.claimTtlSeconds ?? DEFAULT_CLAIM_TTL_SECONDS) * 1000;
  if (Date.now() - reply.intentAt > claimTtlMs - CLAIM_MARGIN_MS) {
    return { outcome: "unverifiable", reason: "intent_too_old" };
  }
  let candidates: Message[];
  try {
    candidates = await candidatesSince(deps, reply);
  } catch (error) {
    if (!(error instanceof WebexApiError) || error.retryable) throw error;
    deps.logger.warn("cannot list the room to check an unconfirmed reply", {
      status: error.status,
    });
    return { outcome: "unverifiable", reason: "not_listable" };
  }
  for (const candidate of candidates) {
    const recorded = await ledger.record(reply.index, candidate.id);
    if (recorded.state === "recorded") return { outcome: "found", messageId: recorded.messageId };
  }
  return { outcome: "absent" };
}

/** The bot's messages matching `reply` created since its intent, oldest first. */
async function candidatesSince(
  deps: { webex: WebexClient; self: Person },
  reply: UnsureReply,
): Promise<Message[]> {
  const floor = reply.intentAt - CLOCK_SKEW_MS;
  const matches: Message[] = [];
  let beforeMessage: string | undefined;
  for (;;) {
    const page = await deps.webex.messages.list(
      {
        roomId: reply.roomId,
        max: SEARCH_PAGE_SIZE,
        ...(reply.reply.parentId !== undefined ? { parentId: reply.reply.parentId } : {}),
        ...(beforeMessage !== undefined ? { beforeMessage } : {}),
      },
      { limit: SEARCH_PAGE_SIZE },
    );
    for (const message of page) {
      if (Date.parse(message.created) < floor) return matches.reverse();
      if (sameWebexId(message.personId, deps.self.id) && sameContent(message, reply.reply)) {
        matches.push(message);
      }
    }
    const last = page.at(-1);
    if (last === undefined || page.length < SEARCH_PAGE_SIZE) return matches.reverse();
    beforeMessage = last.id;
  }
}
