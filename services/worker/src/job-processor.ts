import {
  CommandTimeoutError,
  QUEUE_NAME,
  parseEventJob,
  sameWebexId,
  type Logger,
  type Message,
  type Person,
  type WebexClient,
  type WebhookEvent,
} from "@sparkbot/core";
import type { Redis } from "ioredis";
import type { CommandRun, RunnableBot } from "./bot-contract.js";
import { createDeliveryLedger } from "./delivery-ledger.js";
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
  command?: string;
  outcome?: string;
  sent?: number;
  skipped?: number;
}

/** Builds the function that turns one queued event into a command run and its replies. */
export function createJobProcessor(
  deps: JobProcessorDeps,
): (job: JobAttempt) => Promise<JobResult> {
  return async (job) => {
    const { event, receivedAt } = parseEventJob(job.data);
    if ((job.attemptsStarted ?? 1) <= 1) {
      deps.metrics.jobWait.observe(Math.max(0, Date.now() - receivedAt) / 1000);
    }
    if (event.resource !== "messages" || event.event !== "created") {
      deps.logger.debug("event ignored", { jobId: job.id, resource: event.resource });
      return { status: "ignored" };
    }
    // The bot never answers itself (ids compared by uuid: Webex has more than one form of them).
    const own = (personId: string | undefined): boolean =>
      personId !== undefined && sameWebexId(personId, deps.self.id);
    if (own(event.data.personId)) return { status: "own_message" };
    const message = await deps.webex.messages.get(event.data.id);
    if (own(message.personId)) return { status: "own_message" };
    return runCommand(deps, job, event, message);
  };
}

async function runCommand(
  deps: JobProcessorDeps,
  job: JobAttempt,
  event: WebhookEvent,
  message: Message,
): Promise<JobResult> {
  const logger = deps.logger.child({ jobId: job.id, roomId: message.roomId });
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
  const { self, webex } = deps;
  const run = deps.bot.run({ message, event, self, webex, signal: controller.signal, logger });
  const counts: DeliveryCounts = { sent: 0, skipped: 0 };
  const target: ReplyTarget = {
    jobId: job.id,
    roomId: message.roomId,
    roomType: message.roomType,
    parentId: message.parentId,
  };
  const started = performance.now();
  let failure: unknown;
  try {
    let index = 0;
    for await (const reply of run) {
      await deliverReply(deps, ledger, target, index, reply.markdown, counts);
      index += 1;
    }
    await ledger.finish();
  } catch (error) {
    failure = error;
    controller.abort(error);
    throw error;
  } finally {
    clearTimeout(timer);
    job.signal?.removeEventListener("abort", onCancel);
    report(deps, logger, run, message, (performance.now() - started) / 1000, counts, failure);
  }
  return { status: "done", command: label(run), outcome: run.outcome ?? "unknown", ...counts };
}

function label(run: CommandRun): string {
  return run.command ?? NO_COMMAND_LABEL;
}

/** One metrics update and one log line per command run (message text only at debug level). */
function report(
  deps: JobProcessorDeps,
  logger: Logger,
  run: CommandRun,
  message: Message,
  seconds: number,
  counts: { sent: number; skipped: number },
  failure: unknown,
): void {
  const command = label(run);
  const outcome = run.outcome ?? (failure === undefined ? "unknown" : "delivery_failed");
  deps.metrics.commands.inc({ command, outcome });
  deps.metrics.commandDuration.observe({ command }, seconds);
  const fields = {
    command,
    outcome,
    durationMs: Math.round(seconds * 1000),
    ...counts,
    ...(failure instanceof Error ? { error: `${failure.name}: ${failure.message}` } : {}),
    ...(logger.debugEnabled ? { text: message.text } : {}),
  };
  if (failure === undefined) logger.info("command", fields);
  else logger.warn("command", fields);
}
