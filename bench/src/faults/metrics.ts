// Counters of the services, kept across kills: every process's /metrics is scraped before it is
// killed and at the end, and the samples (with their labels) are added up.

/** Samples by `name{labels}` (labels as Prometheus prints them), summed over processes. */
export type Samples = Map<string, number>;

/** Scrapes one `/metrics` URL; an unreachable one gives no samples. */
export async function scrapeSamples(url: string): Promise<Samples> {
  const samples: Samples = new Map();
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(3_000) });
    const text = await response.text();
    for (const line of text.split("\n")) {
      if (!line.startsWith("sparkbot_")) continue;
      const match = /^(\S+?(?:\{[^}]*\})?)\s+(\S+)$/.exec(line);
      const value = Number(match?.[2]);
      if (match?.[1] !== undefined && Number.isFinite(value)) samples.set(match[1], value);
    }
  } catch {
    // The process is gone or stuck: its counters since the last scrape are not counted.
  }
  return samples;
}

/** Adds `more` into `into`. */
export function addSamples(into: Samples, more: Samples): void {
  for (const [key, value] of more) into.set(key, (into.get(key) ?? 0) + value);
}

/** Sum of every sample of metric `name` whose labels contain all of `labels` (`k="v"` pairs). */
export function sampleSum(samples: Samples, name: string, labels: string[] = []): number {
  let sum = 0;
  for (const [key, value] of samples) {
    const brace = key.indexOf("{");
    const metric = brace < 0 ? key : key.slice(0, brace);
    if (metric !== name) continue;
    if (labels.every((label) => key.includes(label))) sum += value;
  }
  return sum;
}
