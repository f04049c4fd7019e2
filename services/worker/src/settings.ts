import { readInt, type Env } from "@sparkbot/core";
import { DEFAULT_TUNING, type WorkerTuning } from "./worker.js";

/**
 * Lock and stalled-job timing from the environment: `WORKER_LOCK_DURATION_MS`,
 * `WORKER_STALLED_INTERVAL_MS`, `WORKER_MAX_STALLED_COUNT`. The defaults (30 s, 30 s, 2) suit
 * production; tests shorten them to see a dead worker's job taken over within seconds.
 */
export function loadWorkerTuning(env: Env): WorkerTuning {
  return {
    lockDurationMs: readInt(env, "WORKER_LOCK_DURATION_MS", DEFAULT_TUNING.lockDurationMs, {
      min: 500,
    }),
    stalledIntervalMs: readInt(
      env,
      "WORKER_STALLED_INTERVAL_MS",
      DEFAULT_TUNING.stalledIntervalMs,
      { min: 100 },
    ),
    maxStalledCount: readInt(env, "WORKER_MAX_STALLED_COUNT", DEFAULT_TUNING.maxStalledCount, {
      min: 0,
      max: 100,
    }),
  };
}
