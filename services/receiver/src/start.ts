import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type Koa from "koa";
import type { Redis } from "ioredis";
import {
  createWebexClientOfKind,
  listenUrls,
  silentLogger,
  type Logger,
  type ReceiverConfig,
  type WebexClient,
} from "@sparkbot/core";
import { createApp, type ReadinessReport } from "./app.js";
import { createMetrics, type ReceiverMetrics } from "./metrics.js";
import { createEventQueue, type EventQueue } from "./queue.js";
import {
  createProducerRedis,
  pingRedis,
  waitForRedis,
  type ProducerRedisOptions,
} from "./redis.js";
import type { LockOptions } from "./registration/lock.js";
import { startRegistrar, type Registrar } from "./registration/registrar.js";

export interface StartReceiverOptions {
  /** The Webex client for registration and the bot's identity; default: `WEBEX_CLIENT`'s. */
  webex?: WebexClient;
  logger?: Logger;
  redis?: ProducerRedisOptions;
  /** Collect Node's default metrics (default true; tests running many receivers may turn it off). */
  defaultMetrics?: boolean;
  lock?: LockOptions;
  /** First retry delay after a failed registration round (default 1000 ms). */
  registrationRetryDelayMs?: number;
  /** How long start waits for a first Redis connection before listening anyway (default 5 s). */
  redisWaitMs?: number;
  /** Longest graceful shutdown waits for open requests before cutting them (default 10 s). */
  closeTimeoutMs?: number;
}

/** A receiver listening in this process. */
export interface RunningReceiver {
  /** Base URL, e.g. `http://127.0.0.1:8080` (the webhook is at `url + config.webhookPath`). */
  readonly url: string;
  readonly port: number;
  readonly app: Koa;
  readonly server: Server;
  readonly redis: Redis;
  readonly queue: EventQueue;
  readonly registrar: Registrar;
  readonly metrics: ReceiverMetrics;
  /** Graceful stop: no new connections, open requests and enqueues finish, Redis closed. */
  close(): Promise<void>;
}

/** Wires Redis, the queue, registration and the app, and listens on `config.host:config.port`. */
export async function startReceiver(
  config: ReceiverConfig,
  options: StartReceiverOptions = {},
): Promise<RunningReceiver> {
  const logger = options.logger ?? silentLogger;
  if (!config.verifySignatures) {
    logger.warn(
      "WEBHOOK SIGNATURES ARE NOT CHECKED (WEBHOOK_VERIFY=false): anyone who can reach this " +
        "receiver can inject events. Use this only for local development.",
      { verifySignatures: false },
    );
  }
  const redis = createProducerRedis(config.redisUrl, options.redis);
  // Listen even when Redis is away (it answers 503 and /readyz says why), but give it a moment.
  await waitForRedis(redis, options.redisWaitMs ?? 5000);
  const queue = createEventQueue({ redis, prefix: config.redisPrefix });
  const metrics = createMetrics({
    countJobs: queue.countJobs,
    ...(options.defaultMetrics !== undefined ? { defaultMetrics: options.defaultMetrics } : {}),
  });
  const registrar = startRegistrar({
    webex:
      options.webex ??
      createWebexClientOfKind(config.webexClient, {
        accessToken: config.accessToken,
        apiUrl: config.webexApiUrl,
      }),
    redis,
    prefix: config.redisPrefix,
    webhookUrl: config.webhookUrl,
    webhookPath: config.webhookPath,
    configuredSecret: config.webhookSecret,
    removeOtherWebhooks: config.removeOtherWebhooks,
    checkIntervalSeconds: config.webhookCheckIntervalSeconds,
    logger: logger.child({ component: "registration" }),
    ...(options.lock !== undefined ? { lock: options.lock } : {}),
    ...(options.registrationRetryDelayMs !== undefined
      ? { retryDelayMs: options.registrationRetryDelayMs }
      : {}),
  });
  const readiness = async (): Promise<ReadinessReport> => {
    const checks = {
      redis: await pingRedis(redis),
      secret: registrar.secret() !== undefined,
      registration: registrar.registered(),
    };
    return { ready: Object.values(checks).every(Boolean), checks };
  };
  const app = createApp({
    config,
    enqueuer: queue,
    metrics,
    logger,
    secret: registrar.secret,
    botId: registrar.botId,
    readiness,
  });

  const server = createServer(app.callback());
  server.headersTimeout = 10_000; // slow clients do not hold connections for minutes
  server.requestTimeout = 30_000;
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(config.port, config.host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const host = config.host === "0.0.0.0" || config.host === "::" ? "127.0.0.1" : config.host;
  const url = `http://${host.includes(":") ? `[${host}]` : host}:${port}`;
  // Logged: where it is really reachable (every interface's address when on 0.0.0.0).
  logger.info("receiver listening", {
    urls: listenUrls(config.host, port),
    webhookPath: config.webhookPath,
  });

  let closing: Promise<void> | undefined;
  const close = async () => {
    await closeServer(server, options.closeTimeoutMs ?? 10_000);
    await registrar.stop();
    await queue.close();
    await redis.quit().catch(() => redis.disconnect());
    logger.info("receiver stopped", {});
  };
  return {
    url,
    port,
    app,
    server,
    redis,
    queue,
    registrar,
    metrics,
    close: () => (closing ??= close()),
  };
}

/** Stops accepting connections and waits for open requests, cutting them after `timeoutMs`. */
function closeServer(server: Server, timeoutMs: number): Promise<void> {
  return new Promise((resolve) => {
    const cut = setTimeout(() => server.closeAllConnections(), timeoutMs);
    // Keep-alive connections whose request finishes after close() would linger until their
    // idle timeout: close each one as soon as it is idle.
    const sweep = setInterval(() => server.closeIdleConnections(), 50);
    server.close(() => {
      clearTimeout(cut);
      clearInterval(sweep);
      resolve();
    });
    server.closeIdleConnections();
  });
}
