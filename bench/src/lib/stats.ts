/** Latency summary in milliseconds. */
export interface LatencySummary {
  count: number;
  p50: number;
  p99: number;
  mean: number;
  max: number;
}

/** The `q` quantile (0..1) of an ascending-sorted array, nearest-rank. */
export function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[rank] ?? Number.NaN;
}

/** p50, p99, mean and max of a list of latencies (ms). */
export function summarize(values: readonly number[]): LatencySummary {
  const sorted = [...values].sort((a, b) => a - b);
  const sum = sorted.reduce((total, value) => total + value, 0);
  return {
    count: sorted.length,
    p50: quantile(sorted, 0.5),
    p99: quantile(sorted, 0.99),
    mean: sorted.length === 0 ? Number.NaN : sum / sorted.length,
    max: sorted.at(-1) ?? Number.NaN,
  };
}

/** Rounds to `digits` decimals (NaN stays NaN). */
export function round(value: number, digits = 2): number {
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
}

/**
 * Runs `run` `times` times in a row and keeps the run with the highest `score`: on a shared
 * machine, the best of a few runs is the closest to what the code can do (all runs are kept).
 */
export async function bestOf<T>(
  times: number,
  run: () => Promise<T>,
  score: (result: T) => number,
): Promise<{ best: T; runs: T[] }> {
  const runs: T[] = [];
  for (let i = 0; i < Math.max(1, times); i++) runs.push(await run());
  const best = runs.reduce((a, b) => (score(b) > score(a) ? b : a));
  return { best, runs };
}
