// The fault suite's two modes. Full: bursts of 1,500 messages at 100/s over 50 direct rooms and
// 2 group rooms. Quick (CI): 150 messages at 50/s over 10 direct rooms and 1 group room.
import type { SuiteSettings } from "./run-scenario.js";

const STACK: SuiteSettings["stack"] = {
  workers: 2,
  workerConcurrency: 16,
  // A killed worker's jobs are taken over within ~6 s instead of ~60 s (the defaults, 30 s).
  lockDurationMs: 5_000,
  stalledIntervalMs: 1_000,
  logLevel: process.env["FAULTS_LOG_LEVEL"] ?? "warn",
};

export const FULL: SuiteSettings = {
  workload: {
    directUsers: 50,
    groupRooms: 2,
    groupMembers: 5,
    messages: 1_500,
    groupShare: 0.1,
    countShare: 0.25,
    maxCount: 6,
  },
  ratePerSecond: 100,
  // Long enough for a periodic backfill pass (BACKFILL_INTERVAL_S, 60 s) to recover a loss.
  idleCutoffMs: 75_000,
  maxWaitMs: 240_000,
  quietMs: 5_000,
  stack: STACK,
};

export const QUICK: SuiteSettings = {
  workload: {
    directUsers: 10,
    groupRooms: 1,
    groupMembers: 3,
    messages: 150,
    groupShare: 0.15,
    countShare: 0.3,
    maxCount: 5,
  },
  ratePerSecond: 50,
  idleCutoffMs: 10_000,
  maxWaitMs: 60_000,
  quietMs: 1_500,
  stack: STACK,
};
