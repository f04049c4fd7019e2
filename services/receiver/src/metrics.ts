import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from "prom-client";

/** Every way a webhook request can end; one label value of the requests counter. */
export const OUTCOMES = [
  "accepted",
  "duplicate",
  "journaled",
  "bad_signature",
  "malformed",
  "ignored",
  "unavailable",
  "too_large",
] as const;
export type Outcome = (typeof OUTCOMES)[number];

/** How a backfill pass can end; the label values of `sparkbot_backfill_passes_total`. */
export const BACKFILL_PASS_RESULTS = ["complete", "truncated", "rate_limited", "failed"] as const;
export type BackfillPassResult = (typeof BACKFILL_PASS_RESULTS)[number];

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

/** The journal's figures at scrape time (see journal/journal.ts). */
export type JournalGauge = () => {
  events: number;
  bytes: number;
  oldestReceivedAt?: number | undefined;
};

/** The receiver's Prometheus metrics, on a registry of their own (not prom-client's global one). */
export interface ReceiverMetrics {
  readonly registry: Registry;
  /** Counts one webhook request and records how long it took. */
  observe(outcome: Outcome, seconds: number): void;
  /** `sparkbot_receiver_journaled_total`: events written to the local journal. */
  readonly journaled: Counter;
  /** `sparkbot_receiver_journal_replayed_total{result}`: journaled events put back into Redis. */
  readonly journalReplayed: Counter<"result">;
  /** `sparkbot_backfill_passes_total{result}`: backfill passes by how they ended. */
  readonly backfillPasses: Counter<"result">;
  /** `sparkbot_backfill_messages_total{result}`: messages a pass found: recovered, seen, too_old. */
  readonly backfillMessages: Counter<"result">;
  /** `sparkbot_websocket_connected`: 1 while this receiver's websocket is authorized. */
  readonly websocketConnected: Gauge;
  /** `sparkbot_websocket_active`: 1 while this receiver holds the listener lease. */
  readonly websocketActive: Gauge;
  /** `sparkbot_websocket_reconnects_total{reason}`: sessions that ended and were retried. */
  readonly websocketReconnects: Counter<"reason">;
  /** `sparkbot_websocket_events_total{kind,outcome}`: activities by webhook kind and outcome. */
  readonly websocketEvents: Counter<"kind" | "outcome">;
  /** `sparkbot_websocket_event_lag_seconds`: from an activity's `published` to its enqueue. */
  readonly websocketLag: Histogram;
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
  /** The local journal's figures; omitted means no journal gauge values. */
  journal?: JournalGauge;
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
  // One child per outcome, made once: an observation then skips the label lookup and checks.
  // A histogram child adds its series only at its first observation, as before.
  const requestsBy = new Map(OUTCOMES.map((outcome) => [outcome, requests.labels({ outcome })]));
  const durationBy = new Map(OUTCOMES.map((outcome) => [outcome, duration.labels({ outcome })]));

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

  const { journal } = options;
  const journalGauge = (
    name: string,
    help: string,
    read: (j: ReturnType<JournalGauge>) => number,
  ) =>
    new Gauge({
      name,
      help,
      registers: [registry],
      collect() {
        if (journal !== undefined) this.set(read(journal()));
      },
    });
  journalGauge(
    "sparkbot_receiver_journal_events",
    "Events in the local journal, not yet replayed into Redis.",
    (j) => j.events,
  );
  journalGauge(
    "sparkbot_receiver_journal_bytes",
    "Bytes of the local journal's files.",
    (j) => j.bytes,
  );
  journalGauge(
    "sparkbot_receiver_journal_oldest_age_seconds",
    "Age of the oldest event in the local journal (0 when empty).",
    (j) =>
      j.oldestReceivedAt === undefined ? 0 : Math.max(0, Date.now() - j.oldestReceivedAt) / 1000,
  );
  const journaled = new Counter({
    name: "sparkbot_receiver_journaled_total",
    help: "Events written to the local journal because Redis could not take them in time.",
    registers: [registry],
  });
  const journalReplayed = new Counter({
    name: "sparkbot_receiver_journal_replayed_total",
    help: "Journaled events put back into Redis, by result (enqueued, or duplicate of a job there).",
    labelNames: ["result"] as const,
    registers: [registry],
  });
  for (const result of ["enqueued", "duplicate"]) journalReplayed.inc({ result }, 0);
  const backfillPasses = new Counter({
    name: "sparkbot_backfill_passes_total",
    help: "Backfill passes by result: complete, truncated (a bound was hit), rate_limited, failed.",
    labelNames: ["result"] as const,
    registers: [registry],
  });
  for (const result of BACKFILL_PASS_RESULTS) backfillPasses.inc({ result }, 0);
  const backfillMessages = new Counter({
    name: "sparkbot_backfill_messages_total",
    help: "Messages found by backfill passes: recovered (enqueued), seen (already known), too_old (not run late).",
    labelNames: ["result"] as const,
    registers: [registry],
  });
  for (const result of ["recovered", "seen", "too_old"]) backfillMessages.inc({ result }, 0);

  const websocketConnected = new Gauge({
    name: "sparkbot_websocket_connected",
    help: "1 while this receiver's websocket to Webex is authorized (INGRESS=websocket).",
    registers: [registry],
  });
  const websocketActive = new Gauge({
    name: "sparkbot_websocket_active",
    help: "1 while this receiver is the bot's active websocket listener (holds the lease).",
    registers: [registry],
  });
  const websocketReconnects = new Counter({
    name: "sparkbot_websocket_reconnects_total",
    help: "Websocket sessions that ended and were retried, by the close that ended them.",
    labelNames: ["reason"] as const,
    registers: [registry],
  });
  const websocketEvents = new Counter({
    name: "sparkbot_websocket_events_total",
    help: "Websocket activities by webhook kind and outcome (accepted, duplicate, journaled, skipped, failed).",
    labelNames: ["kind", "outcome"] as const,
    registers: [registry],
  });
  const websocketLag = new Histogram({
    name: "sparkbot_websocket_event_lag_seconds",
    help: "Time from an activity's publication at Webex to its event being stored.",
    buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
    registers: [registry],
  });

  return {
    registry,
    contentType: registry.contentType,
    websocketConnected,
    websocketActive,
    websocketReconnects,
    websocketEvents,
    websocketLag,
    journaled,
    journalReplayed,
    backfillPasses,
    backfillMessages,
    observe(outcome, seconds) {
      const counter = requestsBy.get(outcome);
      const histogram = durationBy.get(outcome);
      if (counter === undefined || histogram === undefined) {
        requests.inc({ outcome });
        duration.observe({ outcome }, seconds);
        return;
      }
      counter.inc();
      histogram.observe(seconds);
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
