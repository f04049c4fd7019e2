import {
  QUEUE_NAME,
  createLogger,
  createWebexClientOfKind,
  webexClientOptionsFor,
  handledEventsKey,
  isRetryableWebexError,
  serializeHandledEvents,
  warnIfRedisNotDurable,
  listenUrls,
  type Logger,
  type Person,
  type WebexClient,
  type WorkerConfig,
} from "@sparkbot/core";
import { createRoomTurns } from "./room-turn.js";
import type { Worker } from "bullmq";
import { Redis } from "ioredis";
import { describeAccessPolicy, withAccessControl } from "./access-control.js";
import type { RunnableBot } from "./bot-contract.js";
import { loadBot } from "./bot-loader.js";
import { startOpsServer } from "./http-server.js";
import { instrumentWebexClient } from "./instrumented-webex.js";
import { createJobProcessor } from "./job-processor.js";
import { createWorkerMetrics, type WorkerMetrics } from "./metrics.js";
import { createRedisGuard, type RedisGuard } from "./redis-guard.js";
import { drainWorker } from "./shutdown.js";
import { createQueueWorker, type WorkerTuning } from "./worker.js";

export interface StartWorkerOptions {
  /** The bot to run; default: the module named by `config.botModule`. */
  bot?: RunnableBot;
  /** Default: JSON lines on stdout at `config.logLevel`. */
  logger?: Logger;
  /** Default: the client `config.webexClient` names (`WEBEX_CLIENT`, default the SDK-based one). */
  webex?: WebexClient;
  /** Lock and stalled-check timing (tests shorten them to see takeovers quickly). */
  tuning?: Partial<WorkerTuning>;
  queueName?: string;
}

/** A running worker process's handle. */
export interface RunningWorker {
  /** `http://host:port/metrics`. */
  readonly metricsUrl: string;
  /** `http://host:port/healthz`. */
  readonly healthUrl: string;
  /** The bot's identity, learnt once at start. */
  readonly self: Person;
  readonly metrics: WorkerMetrics;
  readonly worker: Worker;
  /**
   * Drains: takes no new jobs, lets in-flight ones finish for up to `config.drainTimeoutMs`,
   * cancels what is left (another worker retries it), then closes the HTTP server and Redis.
   */
  close(): Promise<void>;
}

/**
 * Starts a worker: loads the bot, learns `people/me`, connects to Redis, serves `/metrics` and
 * `/healthz`, and processes the event queue until `close()`.
 */
export async function startWorker(
  config: WorkerConfig,
  options: StartWorkerOptions = {},
): Promise<RunningWorker> {
  const logger = options.logger ?? createLogger({ name: "worker", level: config.logLevel });
  const metrics = createWorkerMetrics();
  const access = config.access ?? {};
  const bot = withAccessControl(options.bot ?? (await loadBot(config.botModule)), access, metrics);
  const webex = instrumentWebexClient(
    options.webex ?? createWebexClientOfKind(config.webexClient, webexClientOptionsFor(config)),
    metrics.webexRequests,
  );
  const self = await whoAmI(webex, logger).catch((error: unknown) => {
    const reason = error instanceof Error ? error.message : String(error);
    throw new Error(
      `could not learn the bot's identity (people/me at ${config.webexApiUrl}): ${reason}`,
      {
        cause: error,
      },
    );
  });
  const connection = new Redis(config.redisUrl, { maxRetriesPerRequest: null });
  const ledgerRedis = new Redis(config.redisUrl, { maxRetriesPerRequest: 3 });
  warnIfRedisNotDurable(ledgerRedis, logger);
  // Errors of Redis and of BullMQ's loop go through the guard: logged without flooding, and a
  // Redis that refuses writes pauses the worker until a probe write succeeds.
  const late: { guard?: RedisGuard } = {}; // the guard needs the worker, created below
  for (const [redis, source] of [
    [connection, "redis"],
    [ledgerRedis, "redis-ledger"],
  ] as const) {
    redis.on("error", (error: Error) => late.guard?.onError(error, source));
  }
  const processor = createJobProcessor({
    bot,
    webex,
    self,
    redis: ledgerRedis,
    redisPrefix: config.redisPrefix,
    queueName: options.queueName ?? QUEUE_NAME,
    commandTimeoutMs: config.commandTimeoutMs,
    metrics,
    logger,
    ...(config.roomOrdering === true
      ? {
          roomTurns: createRoomTurns({
            redis: ledgerRedis,
            prefix: config.redisPrefix,
            queueName: options.queueName ?? QUEUE_NAME,
          }),
        }
      : {}),
  });
  const worker = createQueueWorker({
    connection,
    prefix: config.redisPrefix,
    queueName: options.queueName ?? QUEUE_NAME,
    concurrency: config.concurrency,
    processor,
    metrics,
    logger,
    onError: (error) => late.guard?.onError(error, "worker"),
    ...(options.tuning !== undefined ? { tuning: options.tuning } : {}),
  });
  const guard = createRedisGuard({
    worker,
    probe: () => ledgerRedis.set(`${config.redisPrefix}:worker:write-probe`, "1", "PX", 10_000),
    logger,
  });
  late.guard = guard;
  const stopPublishing = publishHandledEvents(ledgerRedis, config.redisPrefix, bot, logger);
  const ops = await startOpsServer({
    host: config.host,
    port: config.port,
    registry: metrics.registry,
    health: () => ({
      healthy: worker.isRunning() && connection.status === "ready" && !guard.pausedFor(),
      detail: {
        redis: connection.status,
        running: worker.isRunning(),
        ...(guard.pausedFor() !== undefined ? { pausedFor: guard.pausedFor() } : {}),
      },
    }),
  });
  worker.run().catch((error: unknown) => logger.error("worker stopped", { err: String(error) }));
  await worker.waitUntilReady();
  logger.info("worker started", {
    bot: self.displayName,
    concurrency: config.concurrency,
    // Where /metrics is really reachable: every interface's address when listening on 0.0.0.0.
    metrics: listenUrls(config.host, Number(new URL(ops.url).port)).map((url) => `${url}/metrics`),
    access: describeAccessPolicy(access),
  });
  let closing: Promise<void> | undefined;
  return {
    metricsUrl: `${ops.url}/metrics`,
    healthUrl: `${ops.url}/healthz`,
    self,
    metrics,
    worker,
    close() {
      closing ??= (async () => {
        guard.stop();
        stopPublishing();
        await drainWorker(worker, config.drainTimeoutMs, logger);
        await ops.close();
        await Promise.allSettled([connection.quit(), ledgerRedis.quit()]);
        logger.info("worker stopped");
      })();
      return closing;
    },
  };
}

/** How often a worker says again what its bot handles (a Redis that lost it learns it back). */
const PUBLISH_INTERVAL_MS = 60_000;

/**
 * Publishes what the bot handles (its membership events) for the receivers' webhook
 * registration, now and every minute. A bot that does not say (not core's SparkBot) publishes
 * nothing: the receivers then register every event. Returns the function that stops it.
 */
function publishHandledEvents(
  redis: Redis,
  prefix: string,
  bot: RunnableBot,
  logger: Logger,
): () => void {
  const handled = bot.handledEvents;
  if (handled === undefined) return () => undefined;
  let failing = false;
  const publish = (): void => {
    redis.set(handledEventsKey(prefix), serializeHandledEvents(handled)).then(
      () => (failing = false),
      (error: unknown) => {
        if (!failing)
          logger.warn("could not publish the bot's events for webhook registration", {
            err: String(error),
          });
        failing = true;
      },
    );
  };
  publish();
  const timer = setInterval(publish, PUBLISH_INTERVAL_MS);
  timer.unref();
  return () => clearInterval(timer);
}

/** `people/me`, retried a few times while Webex answers with retryable errors. */
async function whoAmI(webex: WebexClient, logger: Logger): Promise<Person> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await webex.people.me();
    } catch (error) {
      if (!isRetryableWebexError(error) || attempt >= 5) throw error;
      logger.warn("people/me failed, retrying", { attempt, err: String(error) });
      await new Promise((resolve) => setTimeout(resolve, 500 * attempt));
    }
  }
}
