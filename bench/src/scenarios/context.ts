import type { Redis } from "ioredis";
import type { EmulatorControl, RunningEmulator } from "@sparkbot/emulator";
import type { ProfileSummary, Row } from "../lib/report.js";

/** Counts and durations of one mode (quick or full). Every loop of the bench is bounded by them. */
export interface Settings {
  /** autocannon connections against the receiver and the bare server. */
  connections: number;
  ingestWarmupSeconds: number;
  ingestSeconds: number;
  /** Concurrent pingers (one direct room each) for the end-to-end and peer workloads. */
  pingers: number;
  warmupPings: number;
  saturationPings: number;
  saturationMaxMs: number;
  fixedRatePerSecond: number;
  fixedRateMs: number;
  replyTimeoutMs: number;
  /** Quiet time before counting replies, so that late duplicates are seen. */
  settleMs: number;
  workerCounts: number[];
  workerConcurrency: number;
  clientCalls: number;
  clientWarmup: number;
  /** Each measured run is repeated this many times and the best kept (all go to latest.json). */
  repeats: number;
  /** Take CPU profiles of the receiver and a worker under load. */
  profile: boolean;
  profileSeconds: number;
}

export const QUICK: Settings = {
  connections: 50,
  ingestWarmupSeconds: 1,
  ingestSeconds: 2,
  pingers: 16,
  warmupPings: 32,
  saturationPings: 200,
  saturationMaxMs: 5_000,
  fixedRatePerSecond: 100,
  fixedRateMs: 1_500,
  replyTimeoutMs: 10_000,
  settleMs: 300,
  workerCounts: [1, 2, 4],
  workerConcurrency: 16,
  clientCalls: 100,
  clientWarmup: 20,
  repeats: 1,
  profile: true,
  profileSeconds: 2,
};

export const FULL: Settings = {
  connections: 50,
  ingestWarmupSeconds: 3,
  ingestSeconds: 6,
  pingers: 64,
  warmupPings: 200,
  saturationPings: 3_000,
  saturationMaxMs: 8_000,
  fixedRatePerSecond: 100,
  fixedRateMs: 6_000,
  replyTimeoutMs: 15_000,
  settleMs: 1_500,
  workerCounts: [1, 2, 4],
  workerConcurrency: 16,
  clientCalls: 2_000,
  clientWarmup: 200,
  repeats: 3,
  profile: false,
  profileSeconds: 8,
};

/** Everything a scenario needs: the emulator in this process, Redis, and the report being built. */
export interface BenchContext {
  mode: "quick" | "full";
  settings: Settings;
  /** CPU cores of the machine (the share of CPU each process used is reported against them). */
  cores: number;
  /** Repository root. */
  root: string;
  /** Directory of bench/dist (the child scripts). */
  distDir: string;
  resultsDir: string;
  emulator: RunningEmulator;
  control: EmulatorControl;
  redis: Redis;
  redisUrl: string;
  logLevel: string;
  rows: RowBook;
  profiles: ProfileSummary[];
  /** Raw results of each run (latency summaries, CPU shares...), kept in latest.json. */
  details: Record<string, unknown>;
  /** Figures one scenario leaves for another (e.g. SparkBot's rates for the peer's ratios). */
  shared: Map<string, number>;
  log(line: string): void;
}

/** The rows of the report, declared up front so that a failed scenario still shows each of them. */
export class RowBook {
  readonly rows: Row[] = [];

  /** Declares a row (not measured until `set`). */
  declare(row: Omit<Row, "value">): void {
    this.rows.push({ ...row, value: null, ...(row.target !== undefined ? { met: null } : {}) });
  }

  /** Fills a declared row. */
  set(id: string, value: number | null, extra: Partial<Row> = {}): void {
    const row = this.rows.find((candidate) => candidate.id === id);
    if (!row) throw new Error(`bench: row ${id} was never declared`);
    Object.assign(row, { value, ...extra });
  }

  /** Reads a measured value (null when not measured). */
  get(id: string): number | null {
    return this.rows.find((row) => row.id === id)?.value ?? null;
  }

  /** Gives every still unmeasured row whose id starts with `prefix` the reason. */
  markUnmeasured(prefix: string, reason: string): void {
    for (const row of this.rows) {
      if (row.id.startsWith(prefix) && row.value === null && row.note === undefined) {
        row.note = reason;
      }
    }
  }
}
