import {
  CommandTimeoutError,
  QUEUE_NAME,
  parseEventJob,
  roomOfEvent,
  roomOrderKey,
  type BotInput,
  type Logger,
  type Person,
  type WebexClient,
  type WebhookEvent,
} from "@sparkbot/core";
import type { Redis } from "ioredis";
import type { CommandRun, RunnableBot } from "./bot-contract.js";
import { createDeliveryLedger, type DeliveryLedger } from "./delivery-ledger.js";
import { prepareEvent, type PreparedEvent } from "./event-inputs.js";
import type { RoomTurns } from "./room-turn.js";
import { deliverReply, type DeliveryCounts, type ReplyTarget } from "./reply-delivery.js";
import { NO_COMMAND_LABEL, type WorkerMetrics } from "./metrics.js";

/** What the processor needs; all of it is created once per worker process. */
export interface JobProcessorDeps {
  bot: RunnableBot;
  /** The Webex client (instrumented) used for the worker's calls and handed to handlers. */
  webex: WebexClient;
  /** The bot's own identity, learnt once at start. */
  self: Person;
  /** A Redis connection for the delivery ledger (not a blocking one). */
  redis: Redis;
  /** The queue's key prefix (`config.redisPrefix`). */
  redisPrefix: string;
  queueName?: string;
  commandTimeoutMs: number;
  metrics: WorkerMetrics;
  logger: Logger;
  /** `ROOM_ORDERING`: each run takes its turn in its room's arrival order before it starts. */
  roomTurns?: RoomTurns;
}

/** The parts of a BullMQ job (and its attempt) the processor reads. */
export interface JobAttempt {
  id: string;
  data: unknown;
  /** Lock token of this attempt; undefined skips the lock check. */
  token?: string | undefined;
  /** 1 on the first attempt. */
  attemptsStarted?: number;
  /** Fires when the worker cancels the job (shutdown past the drain deadline). */
  signal?: AbortSignal | undefined;
}

/** What a processed job reports (the BullMQ return value). */
export interface JobResult {
  status: "done" | "ignored" | "own_message";
  /** `message`, `cardAction` or `membership`, for runs. */
  kind?: string;
  command?: string;
  outcome?: string;
  sent?: number;
  skipped?: number;
}

/** A prepared event that runs the bot. */
type Runnable = Exclude<PreparedEvent, { kind: "skip" }>;

/**
 * Builds the function that turns one queued event (a message, a card action, a membership
 * event) into a run of the bot and delivers its replies, each exactly once.
 */
export function createJobProcessor(
  deps: JobProcessorDeps,
): (job: JobAttempt) => Promise<JobResult> {
  return async (job) => {
    const { event, receivedAt } = parseEventJob(job.data);
    if ((job.attemptsStarted ?? 1) <= 1) {
      deps.metrics.jobWait.observe(Math.max(0, Date.now() - receivedAt) / 1000);
    }
    const turns = deps.roomTurns;
    const room = turns !== undefined ? roomOfEvent(event) : undefined;
    let inOrder = room !== undefined;
    const leave = (): Promise<void> => {
      if (!inOrder || room === undefined || turns === undefined) return Promise.resolve();
      inOrder = false;
      return turns.leave(job.id, room).catch(() => undefined);
    };
    try {
      const prepared = await prepareEvent(event, deps.webex, deps.self);
      if (prepared.kind === "skip") return skip(deps, job, event, prepared);
      if (room !== undefined && turns !== undefined) await takeTurn(deps, turns, job.id, room);
      const leaving = room === undefined ? undefined : roomOrderKey(deps.redisPrefix, room);
      return await runBot(deps, job, event, prepared, (ledger) => {
        if (leaving === undefined) return;
        // The handler's first reply usually comes at once: its claim takes the job out of the
        // room's order. Otherwise the job leaves it on its own once the handler is invoked.
        const claimSent = ledger.leaveRoomWithNextClaim(leaving);
        setImmediate(() => {
          if (claimSent()) inOrder = false;
          else void leave();
        });
      });
    } finally {
      // Ended before its handler (skipped, or the Webex fetch failed): free the room.
      await leave();
    }
  };
}

async function takeTurn(
  deps: JobProcessorDeps,
  turns: RoomTurns,
  jobId: string,
  roomId: string,
): Promise<void> {
  const turn = await turns.take(jobId, roomId);
  const result = turn.forced ? "gave_up" : turn.waitedMs > 0 ? "waited" : "at_once";
  deps.metrics.roomTurns.inc({ result });
  if (turn.forced) {
    deps.logger.warn("an earlier command of the room did not start in time; starting anyway", {
      jobId,
      roomId,
      waitedMs: turn.waitedMs,
    });
  }
}

function skip(
  deps: JobProcessorDeps,
  job: JobAttempt,
  event: WebhookEvent,
  prepared: Extract<PreparedEvent, { kind: "skip" }>,
): JobResult {
  deps.logger.debug("event ignored", {
    jobId: job.id,
    resource: event.resource,
    reason: prepared.reason,
  });
  if (prepared.count === "card_gone") {
    deps.logger.warn("card action on a deleted card", {
      jobId: job.id,
      actionId: event.data.id,
    });
    deps.metrics.cardActions.inc({ action: "(card-gone)", outcome: "card_gone" });
  }
  return { status: prepared.status };
}

/**
 * `invoking` is called right before the handler is invoked, with the run's ledger (the room's
 * next command may start once it has been).
 */
async function runBot(
  deps: JobProcessorDeps,
  job: JobAttempt,
  event: WebhookEvent,
  prepared: Runnable,
  invoking: (ledger: DeliveryLedger) => void,
): Promise<JobResult> {
  const target = targetOf(job.id, prepared);
  const logger = deps.logger.child({ jobId: job.id, roomId: target.roomId });
  const controller = new AbortController();
  const timer = setTimeout(
    () => controller.abort(new CommandTimeoutError(deps.commandTimeoutMs)),
    deps.commandTimeoutMs,
  );
  const onCancel = (): void => controller.abort(job.signal?.reason);
  job.signal?.addEventListener("abort", onCancel, { once: true });
  const ledger = createDeliveryLedger({
    redis: deps.redis,
    prefix: deps.redisPrefix,
    queueName: deps.queueName ?? QUEUE_NAME,
    jobId: job.id,
    token: job.token,
  });
  const environment = { self: deps.self, webex: deps.webex, signal: controller.signal, logger };
  const run = deps.bot.run(inputOf(prepared, event, environment));
  const counts: DeliveryCounts = { sent: 0, skipped: 0 };
  const started = performance.now();
  let failure: unknown;
  // The handler is invoked by the loop's first step, through promise callbacks only: by the
  // time a macrotask runs, it has started.
  invoking(ledger);
  try {
    let index = 0;
    for await (const reply of run) {
      await deliverReply(deps, ledger, target, index, reply, counts);
      index += 1;
    }
  } catch (error) {
    failure = error;
    controller.abort(error);
    throw error;
  } finally {
    clearTimeout(timer);
    job.signal?.removeEventListener("abort", onCancel);
    const seconds = (performance.now() - started) / 1000;
    report(deps, logger, { run, prepared, seconds, counts, failure });
  }
  return {
    status: "done",
    kind: prepared.kind,
    command: label(run),
    outcome: run.outcome ?? "unknown",
    ...counts,
  };
}

function inputOf(
  prepared: Runnable,
  event: WebhookEvent,
  environment: Pick<BotInput, "self" | "webex" | "signal" | "logger">,
): BotInput {
  if (prepared.kind === "message") return { ...environment, message: prepared.message, event };
  if (prepared.kind === "cardAction") {
    const { action, message } = prepared;
    return { ...environment, type: "cardAction", action, message, event };
  }
  return { ...environment, type: "membership", membership: prepared.membership, event };
}

/** The room replies go to, and its type (group rooms cannot be searched for unsure replies). */
function targetOf(jobId: string, prepared: Runnable): ReplyTarget {
  if (prepared.kind === "membership") {
    const { roomId, roomType } = prepared.membership;
    return { jobId, roomId, roomType };
  }
  const roomId = prepared.kind === "cardAction" ? prepared.action.roomId : prepared.message.roomId;
  return { jobId, roomId, roomType: prepared.message.roomType };
}

function label(run: CommandRun): string {
  return run.command ?? NO_COMMAND_LABEL;
}

interface RunReport {
  run: CommandRun;
  prepared: Runnable;
  seconds: number;
  counts: DeliveryCounts;
  failure: unknown;
}

/** One metrics update and one log line per run (message text only at debug level). */
function report(deps: JobProcessorDeps, logger: Logger, r: RunReport): void {
  const name = label(r.run);
  const outcome = r.run.outcome ?? (r.failure === undefined ? "unknown" : "delivery_failed");
  const { kind } = r.prepared;
  if (kind === "message") {
    deps.metrics.commands.inc({ command: name, outcome });
    deps.metrics.commandDuration.observe({ command: name }, r.seconds);
  } else if (kind === "cardAction") {
    deps.metrics.cardActions.inc({ action: name, outcome });
  } else {
    deps.metrics.membershipEvents.inc({ event: name, outcome });
  }
  const line = { message: "command", cardAction: "card action", membership: "membership event" }[
    kind
  ];
  const fields = {
    [kind === "message" ? "command" : kind === "cardAction" ? "action" : "event"]: name,
    outcome,
    durationMs: Math.round(r.seconds * 1000),
    ...r.counts,
    ...(r.failure instanceof Error ? { error: `${r.failure.name}: ${r.failure.message}` } : {}),
    ...(logger.debugEnabled && kind === "message" ? { text: r.prepared.message.text } : {}),
  };
  if (r.failure === undefined && outcome !== "unknown_action") logger.info(line, fields);
  else logger.warn(line, fields);
}
