import type { Logger } from "@sparkbot/core";
import type { Worker } from "bullmq";

/*
 * What the worker does when Redis fails in ways BullMQ retries at once (a Redis out of memory,
 * a read-only replica, a failed disk save, a refused password): BullMQ's fetch loop emits an
 * error and tries again immediately, thousands of times a second. The guard pauses the worker
 * instead, reports it unhealthy, probes Redis with a write every `probeMs` (doubling up to
 * `maxProbeMs`), and resumes once a write succeeds. Errors are logged once, then summarised
 * every `logWindowMs` with how often they repeated.
 */

/** Redis refused the command for its own state: retrying at once cannot help. */
const REFUSALS = /^(OOM|READONLY|MISCONF|NOAUTH|WRONGPASS|NOPERM|LOADING|MASTERDOWN)\b/;

/**
 * An error Redis answered, or a failure to reach it — not one of BullMQ's own job errors (a
 * lock it could not renew after the worker was frozen says nothing about Redis).
 */
function fromRedis(error: Error): boolean {
  if (error.name === "ReplyError" || (error as NodeJS.ErrnoException).code !== undefined) {
    return true;
  }
  return /timed out|Connection is closed|Stream isn't writeable/i.test(error.message);
}

export interface RedisGuardOptions {
  worker: Pick<Worker, "pause" | "resume" | "isPaused">;
  /** A write to Redis (e.g. a SET with a short expiry); rejects while Redis refuses writes. */
  probe: () => Promise<unknown>;
  logger: Logger;
  /** Errors within one second that pause the worker even when they are not refusals (10). */
  burst?: number;
  probeMs?: number;
  maxProbeMs?: number;
  logWindowMs?: number;
}

export interface RedisGuard {
  /** Feed every error the worker and its connections emit. */
  onError(error: Error, source: string): void;
  /** Why the worker is paused, or undefined while it runs. */
  pausedFor(): string | undefined;
  stop(): void;
}

export function createRedisGuard(options: RedisGuardOptions): RedisGuard {
  const { worker, logger } = options;
  const burst = options.burst ?? 10;
  const maxProbeMs = options.maxProbeMs ?? 10_000;
  const log = createRepeatLog(logger, options.logWindowMs ?? 10_000);
  let recent: number[] = [];
  let paused: string | undefined;
  let probeTimer: NodeJS.Timeout | undefined;
  let stopped = false;

  const probeLater = (delayMs: number) => {
    probeTimer = setTimeout(() => {
      options.probe().then(
        () => {
          logger.info("Redis takes writes again; the worker resumes", { after: paused });
          paused = undefined;
          recent = [];
          worker.resume();
        },
        () => {
          if (!stopped) probeLater(Math.min(delayMs * 2, maxProbeMs));
        },
      );
    }, delayMs);
    probeTimer.unref();
  };

  const pause = (reason: string) => {
    if (paused !== undefined || stopped) return;
    paused = reason;
    logger.error("Redis refuses the worker's commands: pausing until it takes writes again", {
      reason,
    });
    // Jobs in flight keep running: their own failures are retried by the queue.
    worker.pause(true).catch(() => undefined);
    probeLater(options.probeMs ?? 500);
  };

  return {
    onError(error, source) {
      log(source, error.message);
      const now = Date.now();
      recent = recent.filter((at) => now - at < 1000);
      if (fromRedis(error)) recent.push(now);
      if (REFUSALS.test(error.message)) pause(error.message);
      else if (fromRedis(error) && recent.length >= burst) {
        pause(`${recent.length} errors within a second: ${error.message}`);
      }
    },
    pausedFor: () => paused,
    stop() {
      stopped = true;
      clearTimeout(probeTimer);
      log.flush();
    },
  };
}

/**
 * A logger of errors that logs each kind once, then at most one line per `windowMs` saying how
 * often it repeated. The kind is the message without Lua script hashes and line numbers.
 */
export function createRepeatLog(
  logger: Logger,
  windowMs: number,
): ((source: string, message: string) => void) & { flush(): void } {
  const repeats = new Map<string, { source: string; message: string; count: number }>();
  let timer: NodeJS.Timeout | undefined;
  const flush = () => {
    timer = undefined;
    for (const { source, message, count } of repeats.values()) {
      if (count > 0)
        logger.warn("Redis error repeated", { source, err: message, times: count, windowMs });
    }
    repeats.clear();
  };
  const log = (source: string, message: string) => {
    const kind = `${source}|${message.replace(/script: [0-9a-f]{40}/g, "script").replace(/:\d+\b/g, "")}`;
    const seen = repeats.get(kind);
    if (seen !== undefined) {
      seen.count += 1;
      return;
    }
    repeats.set(kind, { source, message, count: 0 });
    logger.error("Redis error", { source, err: message });
    if (timer === undefined) {
      timer = setTimeout(flush, windowMs);
      timer.unref();
    }
  };
  return Object.assign(log, { flush });
}
