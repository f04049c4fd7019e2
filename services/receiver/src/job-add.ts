import { Job, type JobJson, type JobsOptions, type Queue } from "bullmq";

/*
 * Adding a job on a pipeline without BullMQ's `Job` object. `Job.addJob` builds a `Job` (with its
 * own scripts helper), serialises it whole (`asJSON`) and checks options that never change here;
 * the add itself is `queue.scripts.addJob` with the job's name, timestamp, data and encoded
 * options. This calls that with exactly what `Job.addJob` would pass for the same job (the
 * options normalised and encoded as `Job`'s constructor and `Job.optsAsJSON` do), so the job
 * BullMQ stores is the same: a test (test/job-add.test.ts) compares both, field by field.
 */

/** What `Job.addJob` is given as a pipeline (BullMQ's transaction type). */
type Transaction = Parameters<Job["addJob"]>[0];

/** Adds one job; its promise is the script's answer (also read from the pipeline's answers). */
export type JobAdder = (
  pipeline: Transaction,
  name: string,
  data: unknown,
  jobId: string,
  dedupeTtlMs: number,
) => Promise<string>;

/**
 * An adder for `queue` with `options` (constant, with no parent, delay, priority or repeat), each
 * job with its own id and BullMQ's deduplication on that id, as
 * `new Job(queue, name, data, { ...options, jobId, deduplication: { id: jobId, ttl } }, jobId)`
 * followed by `job.addJob(pipeline, { parentDependenciesKey: "" })`.
 */
export function createJobAdder(queue: Queue, options: JobsOptions): JobAdder {
  // As Job's constructor: `attempts` first (0 unless given), the backoff normalised (an object
  // stays as it is: ours is one).
  const base: JobsOptions = { attempts: 0, ...options };
  return (pipeline, name, data, jobId, dedupeTtlMs) => {
    const opts = Job.optsAsJSON({ ...base, jobId, deduplication: { id: jobId, ttl: dedupeTtlMs } });
    const json: JobJson = {
      id: jobId,
      name,
      data: JSON.stringify(data),
      opts,
      progress: 0,
      attemptsMade: 0,
      attemptsStarted: 0,
      stalledCounter: 0,
      timestamp: Date.now(),
      failedReason: "null",
      stacktrace: "null",
      returnvalue: "null",
      deduplicationId: jobId,
    };
    return queue.scripts.addJob(pipeline, json, opts, jobId, { parentDependenciesKey: "" });
  };
}
