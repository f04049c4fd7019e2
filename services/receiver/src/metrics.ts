import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from "prom-client";

/** Every way a webhook request can end; one label value of the requests counter. */
export const OUTCOMES = [
  "accepted",
  "duplicate",
  "bad_signature",
  "malformed",
  "ignored",
  "unavailable",
  "too_large",
] as const;
export type Outcome = (typeof OUTCOMES)[number];

/** The BullMQ job states reported by the `sparkbot_queue_jobs` gauge. */
export const QUEUE_STATES = [
  "waiting",
  "active",
  "delayed",
  "prioritized",
  "waiting-children",
  "completed",
  "failed",
] as const;
export type QueueState = (typeof QUEUE_STATES)[number];

const LINT_FAILING_DEFAULTS = [
  "nodejs_active_handles_total",
  "nodejs_active_requests_total",
  "nodejs_active_resources_total",
];

/** Reads the number of jobs in each state; may reject or be slow (it is bounded by a timeout). */
export type QueueCounter = () => Promise<Partial<Record<QueueState, number>>>;

/** The receiver's Prometheus metrics, on a registry of their own (not prom-client's global one). */
export interface ReceiverMetrics {
  readonly registry: Registry;
  /** Counts one webhook request and records how long it took. */
  observe(outcome: Outcome, seconds: number): void;
  /** The text exposition of every metric, for `GET /metrics`. */
  render(): Promise<string>;
  readonly contentType: string;
}

export interface MetricsOptions {
  /** Where queue depths come from; omitted means no queue gauge values. */
  countJobs?: QueueCounter;
  /** Longest a scrape waits for the queue counts (default 500 ms). */
  queueCountTimeoutMs?: number;
  /** Collect Node's default process metrics (default true). */
  defaultMetrics?: boolean;
}

/** Creates the registry with default Node metrics, the request counter, histogram and queue gauge. */
export function createMetrics(options: MetricsOptions = {}): ReceiverMetrics {
  const registry = new Registry();
  if (options.defaultMetrics !== false) {
    collectDefaultMetrics({ register: registry });
    // Gauges named *_total break `promtool check metrics`; each is the sum of a labelled gauge
    // that stays (nodejs_active_handles{type}, ...), so nothing is lost.
    for (const name of LINT_FAILING_DEFAULTS) registry.removeSingleMetric(name);
  }

  const requests = new Counter({
    name: "sparkbot_receiver_requests_total",
    help: "Webhook requests received, by outcome.",
    labelNames: ["outcome"],
    registers: [registry],
  });
  for (const outcome of OUTCOMES) requests.inc({ outcome }, 0);

  const duration = new Histogram({
    name: "sparkbot_receiver_request_duration_seconds",
    help: "Time to answer a webhook request, by outcome.",
    labelNames: ["outcome"],
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [registry],
  });

  const { countJobs, queueCountTimeoutMs = 500 } = options;
  new Gauge({
    name: "sparkbot_queue_jobs",
    help: "Jobs in the event queue, by state (read from Redis at scrape time).",
    labelNames: ["state"],
    registers: [registry],
    async collect() {
      this.reset();
      if (countJobs === undefined) return;
      const counts = await withTimeout(countJobs(), queueCountTimeoutMs).catch(() => undefined);
      if (counts === undefined) return;
      for (const state of QUEUE_STATES) this.set({ state }, counts[state] ?? 0);
    },
  });

  return {
    registry,
    contentType: registry.contentType,
    observe(outcome, seconds) {
      requests.inc({ outcome });
      duration.observe({ outcome }, seconds);
    },
    render: () => registry.metrics(),
  };
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<undefined>((resolve) => {
    timer = setTimeout(() => resolve(undefined), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
