import {
  WebexApiError,
  type Logger,
  type Message,
  type Person,
  type Reply,
  type WebexClient,
} from "@sparkbot/core";
import { LockLostError, type DeliveryLedger } from "./delivery-ledger.js";
import { findDeliveredReply, type UnsureReply } from "./delivered-reply.js";
import type { WorkerMetrics } from "./metrics.js";

/** What delivering a reply needs (all created once per worker process). */
export interface ReplyDeliveryDeps {
  webex: WebexClient;
  self: Person;
  metrics: WorkerMetrics;
  logger: Logger;
  claimTtlSeconds?: number;
}

/**
 * Where a job's replies go: the room of the message, card or membership that ran the handler
 * (each reply carries its thread, `parentId`, itself).
 */
export interface ReplyTarget {
  jobId: string;
  roomId: string;
  roomType: Message["roomType"];
}

/** Replies of one run that were sent, and those skipped because an earlier attempt sent them. */
export interface DeliveryCounts {
  sent: number;
  skipped: number;
}

/** How often a freshly sent reply may find its message taken before the attempt gives up. */
const MAX_CONFLICTS = 3;

/**
 * Delivers reply `index` (markdown, text, a card, a file, in the room or a thread) exactly once
 * across every attempt of the job (see delivery-ledger.ts): skipped when an earlier attempt
 * recorded it; looked for in the room when an earlier attempt's send has an unknown outcome;
 * otherwise sent and recorded.
 */
export async function deliverReply(
  deps: ReplyDeliveryDeps,
  ledger: DeliveryLedger,
  target: ReplyTarget,
  index: number,
  reply: Reply,
  counts: DeliveryCounts,
): Promise<void> {
  const claim = await ledger.claim(index);
  if (claim.state === "lost") throw new LockLostError(target.jobId);
  if (claim.state === "sent") return skipped(deps, counts);
  const unsure: UnsureReply = { ...target, index, reply, intentAt: claim.intentAt };
  if (claim.state === "unsure" && (await resolve(deps, ledger, unsure))) {
    return skipped(deps, counts);
  }
  for (let conflicts = 0; ; conflicts += 1) {
    const created = await send(deps, ledger, target, index, reply);
    if ((await ledger.record(index, created.id)).state === "recorded") return sent(deps, counts);
    // Another reply, resolving its own unknown outcome, took this message as its own: it
    // stands for that reply now. This one is resolved like any unsure reply.
    deps.metrics.replyClaimConflicts.inc();
    if (await resolve(deps, ledger, unsure)) return sent(deps, counts);
    if (conflicts + 1 >= MAX_CONFLICTS) {
      throw new Error(`reply ${index} of job ${target.jobId} kept being claimed by other replies`);
    }
  }
}

/** True when the room already holds this reply (now claimed for it); false: send it. */
async function resolve(
  deps: ReplyDeliveryDeps,
  ledger: DeliveryLedger,
  reply: UnsureReply,
): Promise<boolean> {
  const result = await findDeliveredReply(deps, ledger, reply);
  if (result.outcome === "found") return true;
  if (result.outcome === "unverifiable") {
    deps.metrics.repliesUnverifiable.inc({ reason: result.reason });
    deps.logger.warn(
      "an earlier send of this reply has an unknown outcome that cannot be checked; sending it again",
      {
        jobId: reply.jobId,
        reply: reply.index,
        reason: result.reason,
      },
    );
  }
  return false;
}

async function send(
  deps: ReplyDeliveryDeps,
  ledger: DeliveryLedger,
  target: ReplyTarget,
  index: number,
  reply: Reply,
): Promise<Message> {
  try {
    return await deps.webex.messages.create({ roomId: target.roomId, ...reply });
  } catch (error) {
    // Webex refused it (4xx, 429 included): nothing was created, so the retry need not doubt.
    if (error instanceof WebexApiError && error.status < 500) {
      await ledger.release(index).catch(() => undefined);
    }
    throw error;
  }
}

function sent(deps: ReplyDeliveryDeps, counts: DeliveryCounts): void {
  counts.sent += 1;
  deps.metrics.repliesSent.inc();
}

function skipped(deps: ReplyDeliveryDeps, counts: DeliveryCounts): void {
  counts.skipped += 1;
  deps.metrics.repliesSkipped.inc();
}
