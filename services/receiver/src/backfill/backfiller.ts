import type { Redis } from "ioredis";
import { WebexApiError, type Logger, type WebexClient } from "@sparkbot/core";
import { DEFAULT_DEDUPE_WINDOW_MS, type Enqueuer } from "../event-queue.js";
import type { BackfillPassResult, ReceiverMetrics } from "../metrics.js";
import { withRedisLock } from "../registration/lock.js";
import { runBackfillPass, type PassReport } from "./backfill-pass.js";

/*
 * The backfiller decides when passes run (see backfill-pass.ts for what a pass does): at start,
 * when a webhook was found inactive (Webex gave up delivering), when the journal was replayed
 * after a Redis outage, and every `intervalSeconds`. One pass at a time in the whole fleet (a
 * Redis lock; a receiver that finds it taken skips its turn). A watermark in Redis says how far
 * back the last complete pass looked; each pass goes back to it, less an overlap for clocks.
 */

/** `BACKFILL_*` settings. */
export interface BackfillSettings {
  /** `BACKFILL_ENABLED`. */
  enabled: boolean;
  /** `BACKFILL_INTERVAL_S`: seconds between periodic passes; 0 runs only on the triggers. */
  intervalSeconds: number;
  /** `BACKFILL_MAX_AGE_S`: missed commands older than this are not run late. */
  maxAgeSeconds: number;
  /** `BACKFILL_MAX_ROOMS`: rooms a pass looks at, at most. */
  maxRooms: number;
}

export interface BackfillerDeps {
  webex: WebexClient;
  redis: Redis;
  prefix: string;
  enqueuer: Enqueuer;
  metrics: Pick<ReceiverMetrics, "backfillPasses" | "backfillMessages">;
  logger: Logger;
}

export interface Backfiller {
  /** Asks for a pass soon (passes asked for while one runs coalesce into one more). */
  trigger(reason: string): void;
  /** Runs a pass now and resolves how it ended (`skipped` when another receiver holds the lock). */
  runNow(reason: string): Promise<BackfillPassResult | "skipped">;
  stop(): Promise<void>;
}

/** How far before the watermark a pass looks again: clock differences between us and Webex. */
export const WATERMARK_OVERLAP_MS = 60_000;
/** No pass looks further back: enqueue markers, which tell what is known, live one hour. */
const SCAN_HORIZON_MS = DEFAULT_DEDUPE_WINDOW_MS - 5 * 60_000;
const LOCK_TTL_MS = 120_000;

export function watermarkKey(prefix: string): string {
  return `${prefix}:receiver:backfill-watermark`;
}

/** When the queue's first backfill pass ran: no pass looks further back. */
export function floorKey(prefix: string): string {
  return `${prefix}:receiver:backfill-floor`;
}

function lockKey(prefix: string): string {
  return `${prefix}:receiver:backfill-lock`;
}

/** Starts the periodic passes (and a first one at once) unless disabled. */
export function startBackfiller(deps: BackfillerDeps, settings: BackfillSettings): Backfiller {
  const { logger } = deps;
  let botId: string | undefined;
  let running: Promise<BackfillPassResult | "skipped"> | undefined;
  let again: string | undefined;
  let timer: NodeJS.Timeout | undefined;
  let stopped = !settings.enabled;

  const schedule = (delayMs: number, reason: string) => {
    if (stopped) return;
    clearTimeout(timer);
    timer = setTimeout(() => trigger(reason), delayMs);
    timer.unref();
  };

  const pass = async (reason: string): Promise<BackfillPassResult | "skipped"> => {
    if (deps.redis.status !== "ready") return "failed";
    botId ??= (await deps.webex.people.me()).id;
    const id = botId;
    const locked = await withRedisLock(
      deps.redis,
      lockKey(deps.prefix),
      async () => {
        const startedAt = Date.now();
        const since = await sinceFor(deps, startedAt);
        const report = await runBackfillPass(
          { ...deps, botId: id },
          {
            since,
            maxAgeMs: settings.maxAgeSeconds * 1000,
            maxRooms: settings.maxRooms,
            maxPagesPerRoom: 10,
            pageSize: 100,
          },
        );
        if (!report.truncated) {
          await deps.redis.set(watermarkKey(deps.prefix), String(startedAt));
        }
        return report;
      },
      { ttlMs: LOCK_TTL_MS, waitMs: 0 },
    );
    if (!locked.acquired) return "skipped";
    logReport(logger, reason, locked.value);
    count(deps, locked.value);
    return locked.value.truncated ? "truncated" : "complete";
  };

  const runNow = (reason: string): Promise<BackfillPassResult | "skipped"> => {
    if (running !== undefined) {
      again = reason;
      return running;
    }
    let retryInMs: number | undefined;
    running = pass(reason)
      .catch((error: unknown) =>
        failed(deps, error, (ms) => {
          retryInMs = ms;
        }),
      )
      .then((result) => {
        if (result !== "skipped") deps.metrics.backfillPasses.inc({ result });
        return result;
      })
      .finally(() => {
        running = undefined;
        const next = again;
        again = undefined;
        // After a 429 nothing runs before its Retry-After; else a pass asked for meanwhile
        // runs now, and the periodic one after the interval.
        if (retryInMs !== undefined) schedule(retryInMs, next ?? "after a 429");
        else if (next !== undefined) trigger(next);
        else if (settings.intervalSeconds > 0)
          schedule(settings.intervalSeconds * 1000, "periodic");
      });
    return running;
  };

  const trigger = (reason: string) => {
    if (stopped) return;
    void runNow(reason);
  };

  if (settings.enabled) trigger("start");
  else
    logger.warn(
      "backfill is off (BACKFILL_ENABLED=false): deliveries Webex could not make are lost",
      {},
    );

  return {
    trigger,
    runNow,
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await running;
    },
  };
}

/**
 * Where a pass starts: the watermark less the overlap, but never before the queue's first
 * pass (the floor) nor past the scan horizon. The floor is set once, by the first pass of a
 * queue (a new Redis, or a new `REDIS_PREFIX`): the messages before it were never this queue's
 * to answer — or were answered under a Redis that no longer remembers them — and running them
 * again would repeat commands already answered.
 */
async function sinceFor(deps: BackfillerDeps, now: number): Promise<number> {
  await deps.redis.set(floorKey(deps.prefix), String(now), "NX");
  const [watermark, floor] = (
    await deps.redis.mget(watermarkKey(deps.prefix), floorKey(deps.prefix))
  ).map(Number);
  return Math.max((watermark || now) - WATERMARK_OVERLAP_MS, floor || now, now - SCAN_HORIZON_MS);
}

function count(deps: BackfillerDeps, report: PassReport): void {
  deps.metrics.backfillMessages.inc({ result: "recovered" }, report.recovered);
  deps.metrics.backfillMessages.inc({ result: "seen" }, report.seen);
  deps.metrics.backfillMessages.inc({ result: "too_old" }, report.tooOld);
}

function logReport(logger: Logger, reason: string, report: PassReport): void {
  const { tooOldIds, ...fields } = report;
  if (report.tooOld > 0) {
    logger.warn("backfill: missed commands too old to run now were skipped", {
      reason,
      ...fields,
      skipped: tooOldIds.slice(0, 20),
    });
  }
  if (report.recovered > 0)
    logger.warn("backfill recovered messages Webex had not delivered", { reason, ...fields });
  else logger.debug("backfill pass found nothing missed", { reason, ...fields });
}

/** Logs a failed pass; a 429 asks for the next pass after its `Retry-After`. */
function failed(
  deps: BackfillerDeps,
  error: unknown,
  retryAfter: (ms: number) => void,
): BackfillPassResult {
  if (error instanceof WebexApiError && error.status === 429) {
    const ms = Math.max(1, error.retryAfter ?? 60) * 1000;
    deps.logger.warn("backfill pass stopped by a Webex 429; resuming after Retry-After", {
      retryInMs: ms,
    });
    retryAfter(ms);
    return "rate_limited";
  }
  deps.logger.warn("backfill pass failed; the next one will cover it", {
    error: error instanceof Error ? error.message : String(error),
  });
  return "failed";
}
