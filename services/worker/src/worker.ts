import { QUEUE_NAME, type Logger } from "@sparkbot/core";
import { Worker, type Job } from "bullmq";
import type { Redis } from "ioredis";
import type { JobAttempt, JobResult } from "./job-processor.js";
import { LockLostError } from "./delivery-ledger.js";
import type { WorkerMetrics } from "./metrics.js";
import { classifyFailure, throwForBullmq, type FailureDecision } from "./retry-policy.js";

/** Lock and stalled-job timing: how fast a job of a dead worker is taken over. */
export interface WorkerTuning {
  /** A job's lock lasts this long unless renewed (renewed every half of it). Default 30 s. */
  lockDurationMs: number;
  /** How often each worker looks for jobs whose lock expired. Default 30 s. */
  stalledIntervalMs: number;
  /** How many times a job may stall before it fails for good. Default 2. */
  maxStalledCount: number;
}

export const DEFAULT_TUNING: WorkerTuning = {
  lockDurationMs: 30_000,
  stalledIntervalMs: 30_000,
  maxStalledCount: 2,
};

export interface CreateWorkerOptions {
  /** A connection with `maxRetriesPerRequest: null` (BullMQ duplicates it for blocking calls). */
  connection: Redis;
  prefix: string;
  queueName?: string;
  concurrency: number;
  processor: (job: JobAttempt) => Promise<JobResult>;
  metrics: WorkerMetrics;
  logger: Logger;
  tuning?: Partial<WorkerTuning>;
  /** Every error the BullMQ worker emits (default: logged as is). See redis-guard.ts. */
  onError?: (error: Error) => void;
}

/**
 * The BullMQ worker: runs `processor` for each job with the configured concurrency, maps its
 * failures to BullMQ's retry mechanisms (see retry-policy.ts), counts retries and failures, and
 * listens for `error` so that a Redis outage is logged, never an unhandled event.
 * Manual rate limiting (a 429) only pauses other workers when a limiter is configured, hence
 * the limiter with a ceiling no real load reaches.
 */
export function createQueueWorker(options: CreateWorkerOptions): Worker {
  const { metrics, logger } = options;
  const tuning = { ...DEFAULT_TUNING, ...options.tuning };
  const worker: Worker = new Worker(
    options.queueName ?? QUEUE_NAME,
    async (job: Job, token?: string, signal?: AbortSignal) => {
      metrics.jobsInFlight.inc();
      try {
        return await options.processor({
          id: job.id ?? "",
          data: job.data,
          token,
          attemptsStarted: job.attemptsStarted,
          signal,
        });
      } catch (error) {
        const decision = classifyFailure(error);
        recordFailure(job, error, decision, metrics, logger);
        return await throwForBullmq(error, decision, worker);
      } finally {
        metrics.jobsInFlight.dec();
      }
    },
    {
      connection: options.connection,
      prefix: options.prefix,
      concurrency: options.concurrency,
      autorun: false,
      lockDuration: tuning.lockDurationMs,
      stalledInterval: tuning.stalledIntervalMs,
      maxStalledCount: tuning.maxStalledCount,
      limiter: { max: 1_000_000, duration: 1000 },
      removeOnComplete: { age: 3600, count: 10_000 },
      removeOnFail: { age: 7 * 24 * 3600, count: 10_000 },
    },
  );
  worker.on(
    "error",
    options.onError ?? ((error) => logger.error("worker error", { err: error.message })),
  );
  worker.on("stalled", (jobId) => {
    metrics.jobRetries.inc({ reason: "stalled" });
    logger.warn("stalled job taken back", { jobId });
  });
  return worker;
}

function recordFailure(
  job: Job,
  error: unknown,
  decision: FailureDecision,
  metrics: WorkerMetrics,
  logger: Logger,
): void {
  const attempts = job.opts.attempts ?? 1;
  const lastAttempt = job.attemptsMade + 1 >= attempts;
  const willRetry = decision.kind === "rate_limited" || (decision.kind === "retry" && !lastAttempt);
  if (willRetry) metrics.jobRetries.inc({ reason: decision.reason });
  else if (!(error instanceof LockLostError)) metrics.jobsFailed.inc({ reason: decision.reason });
  const fields = {
    jobId: job.id,
    attempt: job.attemptsMade + 1,
    attempts,
    decision: decision.kind,
    reason: decision.reason,
    err: error instanceof Error ? `${error.name}: ${error.message}` : String(error),
    ...(decision.kind === "rate_limited" ? { pauseMs: decision.delayMs } : {}),
  };
  if (willRetry) logger.warn("job attempt failed, will retry", fields);
  else logger.error("job failed", fields);
}
