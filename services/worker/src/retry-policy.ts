import {
  JobPayloadError,
  WebexApiError,
  WebexNetworkError,
  WebexTimeoutError,
} from "@sparkbot/core";
import { UnrecoverableError, Worker } from "bullmq";
import { LockLostError } from "./delivery-ledger.js";

/** Used when a 429 carries no usable `Retry-After`. */
export const DEFAULT_RATE_LIMIT_MS = 1_000;
/** A `Retry-After` longer than this is capped, so that one odd header cannot stop the fleet. */
export const MAX_RATE_LIMIT_MS = 15 * 60_000;

/** What to do with a job attempt that failed. */
export type FailureDecision =
  /** Webex said 429: pause the whole queue for `delayMs`, then try the job again. */
  | { kind: "rate_limited"; delayMs: number; reason: "webex_429" }
  /** A failure a later attempt may not meet: let BullMQ retry with backoff. */
  | { kind: "retry"; reason: string }
  /** Retrying cannot help: fail the job now, keeping it in the failed set. */
  | { kind: "give_up"; reason: string };

/**
 * Classifies a failed attempt. Webex 5xx, network errors and timeouts are retried with the
 * queue's backoff; 429 honours `Retry-After` by rate-limiting the queue (every worker pauses, none
 * hammers Webex); other 4xx and malformed payloads are not retried. Anything else (Redis hiccups,
 * bugs) is retried: the attempts limit bounds it.
 */
export function classifyFailure(error: unknown): FailureDecision {
  if (error instanceof WebexApiError) {
    if (error.status === 429) {
      return { kind: "rate_limited", delayMs: rateLimitDelayMs(error), reason: "webex_429" };
    }
    if (error.status >= 500) return { kind: "retry", reason: "webex_5xx" };
    return { kind: "give_up", reason: `webex_${error.status}` };
  }
  if (error instanceof WebexNetworkError) return { kind: "retry", reason: "webex_network" };
  if (error instanceof WebexTimeoutError) return { kind: "retry", reason: "webex_timeout" };
  if (error instanceof LockLostError) return { kind: "retry", reason: "lock_lost" };
  if (error instanceof JobPayloadError) return { kind: "give_up", reason: "bad_payload" };
  if (error instanceof UnrecoverableError) return { kind: "give_up", reason: "unrecoverable" };
  return { kind: "retry", reason: "internal" };
}

/** Milliseconds to pause for a 429: its `Retry-After` (seconds), bounded. */
export function rateLimitDelayMs(error: WebexApiError): number {
  const seconds = error.retryAfter;
  if (seconds === undefined || !Number.isFinite(seconds) || seconds <= 0) {
    return DEFAULT_RATE_LIMIT_MS;
  }
  return Math.min(Math.ceil(seconds * 1000), MAX_RATE_LIMIT_MS);
}

/** The part of a BullMQ worker the policy needs. */
export interface RateLimitable {
  rateLimit(expireTimeMs: number): Promise<void>;
}

/**
 * Turns a decision into what BullMQ understands, always by throwing: the original error (retry
 * with backoff), an `UnrecoverableError` (no retry), or `Worker.RateLimitError()` after
 * rate-limiting the queue (the job goes back to waiting without using an attempt).
 */
export async function throwForBullmq(
  error: unknown,
  decision: FailureDecision,
  worker: RateLimitable,
): Promise<never> {
  switch (decision.kind) {
    case "rate_limited":
      await worker.rateLimit(decision.delayMs);
      throw Worker.RateLimitError();
    case "give_up":
      if (error instanceof UnrecoverableError) throw error;
      throw new UnrecoverableError(describe(error));
    case "retry":
      throw error instanceof Error ? error : new Error(describe(error));
  }
}

function describe(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}
