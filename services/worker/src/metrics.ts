import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from "prom-client";

/** Label used when a run ended before a command was dispatched (unknown, empty, own message). */
export const NO_COMMAND_LABEL = "none";

const LINT_FAILING_DEFAULTS = [
  "nodejs_active_handles_total",
  "nodejs_active_requests_total",
  "nodejs_active_resources_total",
];

/** The worker's Prometheus metrics, all in one private registry (never the global one). */
export interface WorkerMetrics {
  readonly registry: Registry;
  /** `sparkbot_commands_total{command,outcome}`: command runs by canonical name and outcome. */
  readonly commands: Counter<"command" | "outcome">;
  /**
   * `sparkbot_card_actions_total{action,outcome}`: card submissions by action name (or
   * `(action-fallback)`, `(unknown-action)`, `(card-gone)`) and outcome (`unknown_action` for
   * actions no handler takes).
   */
  readonly cardActions: Counter<"action" | "outcome">;
  /**
   * `sparkbot_membership_events_total{event,outcome}`: membership events by kind (`botAdded`,
   * `botRemoved`, `personJoined`, `personLeft`) and outcome (`unhandled` without a handler).
   */
  readonly membershipEvents: Counter<"event" | "outcome">;
  /** `sparkbot_command_duration_seconds{command}`: handler run time, replies sent included. */
  readonly commandDuration: Histogram<"command">;
  /** `sparkbot_job_wait_seconds`: from the receiver's `receivedAt` to the first attempt's start. */
  readonly jobWait: Histogram;
  /** `sparkbot_replies_sent_total`: replies that Webex accepted. */
  readonly repliesSent: Counter;
  /** `sparkbot_replies_skipped_total`: replies not resent because a previous attempt sent them. */
  readonly repliesSkipped: Counter;
  /**
   * `sparkbot_replies_unverifiable_total{reason}`: replies whose earlier send had an unknown
   * outcome that could not be checked in the room (group rooms), so they were sent again.
   */
  readonly repliesUnverifiable: Counter<"reason">;
  /**
   * `sparkbot_reply_claim_conflicts_total`: sent replies whose message another reply had already
   * claimed while resolving its own unknown outcome (each is then resolved again).
   */
  readonly replyClaimConflicts: Counter;
  /**
   * `sparkbot_room_turns_total{result}`: runs that took their turn in their room's order
   * (`ROOM_ORDERING`): `at_once`, `waited` (an earlier command of the room had not started),
   * `gave_up` (waited the limit, then started anyway).
   */
  readonly roomTurns: Counter<"result">;
  /** `sparkbot_webex_requests_total{operation,status}`: every Webex call, by HTTP status. */
  readonly webexRequests: Counter<"operation" | "status">;
  /** `sparkbot_job_retries_total{reason}`: attempts given back to the queue to be tried again. */
  readonly jobRetries: Counter<"reason">;
  /** `sparkbot_jobs_failed_total{reason}`: jobs given up for good. */
  readonly jobsFailed: Counter<"reason">;
  /** `sparkbot_jobs_in_flight`: jobs this process is running now. */
  readonly jobsInFlight: Gauge;
  /** `sparkbot_access_denied_total{command,reason}`: messages refused by access control. */
  readonly accessDenied: Counter<"command" | "reason">;
}

/** Creates the worker's metrics in a fresh registry, with Node's default metrics. */
export function createWorkerMetrics(): WorkerMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  // Gauges named *_total fail `promtool check metrics`; each is the sum of a labelled gauge that
  // stays (nodejs_active_handles{type}, ...), so nothing is lost.
  for (const name of LINT_FAILING_DEFAULTS) registry.removeSingleMetric(name);
  const registers = [registry];
  return {
    registry,
    commands: new Counter({
      name: "sparkbot_commands_total",
      help: "Command runs by canonical command name and outcome.",
      labelNames: ["command", "outcome"] as const,
      registers,
    }),
    cardActions: new Counter({
      name: "sparkbot_card_actions_total",
      help: "Card submissions by action name and outcome (unknown_action: no handler took it).",
      labelNames: ["action", "outcome"] as const,
      registers,
    }),
    membershipEvents: new Counter({
      name: "sparkbot_membership_events_total",
      help: "Membership events (botAdded, botRemoved, personJoined, personLeft) by outcome.",
      labelNames: ["event", "outcome"] as const,
      registers,
    }),
    commandDuration: new Histogram({
      name: "sparkbot_command_duration_seconds",
      help: "Time from the start of a command run to its last reply sent.",
      labelNames: ["command"] as const,
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
      registers,
    }),
    jobWait: new Histogram({
      name: "sparkbot_job_wait_seconds",
      help: "Time from the receiver accepting an event to a worker starting its first attempt.",
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers,
    }),
    repliesSent: new Counter({
      name: "sparkbot_replies_sent_total",
      help: "Replies sent to Webex and accepted.",
      registers,
    }),
    repliesSkipped: new Counter({
      name: "sparkbot_replies_skipped_total",
      help: "Replies not sent again because an earlier attempt of the job had sent them.",
      registers,
    }),
    repliesUnverifiable: new Counter({
      name: "sparkbot_replies_unverifiable_total",
      help: "Replies with an unknown earlier send outcome that could not be checked (sent again).",
      labelNames: ["reason"] as const,
      registers,
    }),
    replyClaimConflicts: new Counter({
      name: "sparkbot_reply_claim_conflicts_total",
      help: "Sent replies whose message another reply had claimed first (resolved again).",
      registers,
    }),
    roomTurns: new Counter({
      name: "sparkbot_room_turns_total",
      help: "Runs that took their turn in their room's arrival order, by how (ROOM_ORDERING).",
      labelNames: ["result"] as const,
      registers,
    }),
    webexRequests: new Counter({
      name: "sparkbot_webex_requests_total",
      help: "Webex API calls by operation and HTTP status (network and timeout for no answer).",
      labelNames: ["operation", "status"] as const,
      registers,
    }),
    jobRetries: new Counter({
      name: "sparkbot_job_retries_total",
      help: "Job attempts that failed and were handed back to the queue to be retried.",
      labelNames: ["reason"] as const,
      registers,
    }),
    jobsFailed: new Counter({
      name: "sparkbot_jobs_failed_total",
      help: "Jobs that failed for good (kept in the failed set for inspection).",
      labelNames: ["reason"] as const,
      registers,
    }),
    jobsInFlight: new Gauge({
      name: "sparkbot_jobs_in_flight",
      help: "Jobs this worker process is running now.",
      registers,
    }),
    accessDenied: new Counter({
      name: "sparkbot_access_denied_total",
      help: "Messages refused by access control (no handler ran), by command and reason (from_bot, person, room, lookup_failed).",
      labelNames: ["command", "reason"] as const,
      registers,
    }),
  };
}
