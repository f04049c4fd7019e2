/** Sums of `<name>_sum` and `<name>_count` over every label set, from Prometheus text. */
export type MetricSums = Map<string, number>;

/** Scrapes `/metrics` of each URL and adds up every sample by metric name (labels dropped). */
export async function scrapeSums(urls: readonly string[]): Promise<MetricSums> {
  const sums: MetricSums = new Map();
  for (const url of urls) {
    const response = await fetch(url, { signal: AbortSignal.timeout(5_000) });
    const text = await response.text();
    for (const line of text.split("\n")) {
      if (line.startsWith("#") || line.trim() === "") continue;
      const match = /^([a-zA-Z_:][\w:]*)(?:\{[^}]*\})?\s+(\S+)/.exec(line);
      if (!match?.[1] || match[2] === undefined) continue;
      const value = Number(match[2]);
      if (Number.isFinite(value)) sums.set(match[1], (sums.get(match[1]) ?? 0) + value);
    }
  }
  return sums;
}

/** Mean of a histogram between two scrapes, in ms (undefined when nothing was observed). */
export function histogramMeanMs(
  before: MetricSums,
  after: MetricSums,
  name: string,
): number | undefined {
  const count = (after.get(`${name}_count`) ?? 0) - (before.get(`${name}_count`) ?? 0);
  const sum = (after.get(`${name}_sum`) ?? 0) - (before.get(`${name}_sum`) ?? 0);
  return count > 0 ? (sum / count) * 1000 : undefined;
}
