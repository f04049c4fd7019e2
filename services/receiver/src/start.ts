import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type Koa from "koa";
import type { Redis } from "ioredis";
import {
  createWebexClientOfKind,
  defaultU2cUrl,
  webexClientOptionsFor,
  listenUrls,
  silentLogger,
  warnIfRedisNotDurable,
  type Logger,
  type ReceiverConfig,
  type WebexClient,
} from "@sparkbot/core";
import { createApp, type ReadinessReport } from "./app.js";
import { createMetrics, type ReceiverMetrics } from "./metrics.js";
import { createEventQueue, type EventQueue } from "./event-queue.js";
import { startBackfiller, type Backfiller } from "./backfill/backfiller.js";
import { createIngest, type Ingest } from "./ingest.js";
import { journalScope, openJournal, type Journal } from "./journal/journal.js";
import {
  createProducerRedis,
  redisTakesWrites,
  waitForRedis,
  type ProducerRedisOptions,
} from "./redis.js";
import type { LockOptions } from "./registration/lock.js";
import { startRegistrar, type Registrar } from "./registration/registrar.js";
import { startListener, type Listener, type ListenerOptions } from "./websocket/listener.js";
import {
  readCachedSecret,
  secretCachePath,
  writeCachedSecret,
} from "./registration/secret-cache.js";

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
  /** How long a client may take to send its request headers (default 10 s). */
  headersTimeoutMs?: number;
  /** Journal replay and adoption timing (defaults: every 1 s and 5 s). */
  journalTiming?: { retryIntervalMs?: number; adoptIntervalMs?: number };
  /** Websocket listener timing (INGRESS=websocket; defaults in `ListenerOptions`). */
  websocket?: Partial<
    Pick<
      ListenerOptions,
      "pingIntervalMs" | "pongTimeoutMs" | "backoffMs" | "maxBackoffMs" | "leasePollMs"
    >
  >;
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
  readonly journal: Journal;
  readonly ingest: Ingest;
  readonly registrar: Registrar;
  readonly backfiller: Backfiller;
  /** The websocket listener (INGRESS=websocket), active or standing by. */
  readonly listener: Listener | undefined;
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
  // The journal first: without a writable one, a Redis outage would lose events.
  const journal = await openJournal({
    root: config.journalDir,
    scope: journalScope(config.redisUrl, config.redisPrefix),
    maxBytes: config.journalMaxBytes,
    logger: logger.child({ component: "journal" }),
  });
  const redis = createProducerRedis(config.redisUrl, options.redis);
  // Listen even when Redis is away (events are journaled, /readyz says why), but give it a moment.
  await waitForRedis(redis, options.redisWaitMs ?? 5000);
  warnIfRedisNotDurable(redis, logger);
  const queue = createEventQueue({
    redis,
    prefix: config.redisPrefix,
    timeoutMs: config.enqueueTimeoutMs,
    roomOrdering: config.roomOrdering === true,
  });
  const metrics = createMetrics({
    countJobs: queue.countJobs,
    journal: () => journal.stats(),
    ...(options.defaultMetrics !== undefined ? { defaultMetrics: options.defaultMetrics } : {}),
  });
  const ingest = createIngest({
    queue,
    journal,
    redis,
    metrics,
    logger,
    ...options.journalTiming,
    onRecovered: () => later.backfiller?.trigger("Redis took the journal's backlog"),
  });
  // Created last (it needs the ingest and the registrar's triggers need it).
  const later: { backfiller?: Backfiller } = {};
  const webex =
    options.webex ?? createWebexClientOfKind(config.webexClient, webexClientOptionsFor(config));
  const secretCache = secretCachePath(config.journalDir);
  const websocketMode = config.ingress === "websocket";
  const registrar = websocketMode
    ? noRegistrar()
    : startRegistrar({
        webex,
        redis,
        prefix: config.redisPrefix,
        webhookUrl: config.webhookUrl,
        webhookPath: config.webhookPath,
        configuredSecret: config.webhookSecret,
        knownSecret:
          config.webhookSecret === undefined ? await readCachedSecret(secretCache) : undefined,
        onReconciled: (report) => {
          if (report.reactivated.length > 0) {
            later.backfiller?.trigger("an inactive webhook was reactivated");
          }
        },
        onSecret: (secret) => {
          if (config.webhookSecret === undefined)
            void writeCachedSecret(secretCache, secret, logger);
        },
        removeOtherWebhooks: config.removeOtherWebhooks,
        checkIntervalSeconds: config.webhookCheckIntervalSeconds,
        logger: logger.child({ component: "registration" }),
        ...(options.lock !== undefined ? { lock: options.lock } : {}),
        ...(options.registrationRetryDelayMs !== undefined
          ? { retryDelayMs: options.registrationRetryDelayMs }
          : {}),
      });
  const backfiller = startBackfiller(
    {
      webex,
      redis,
      prefix: config.redisPrefix,
      enqueuer: ingest,
      metrics,
      logger: logger.child({ component: "backfill" }),
    },
    config.backfill,
  );
  later.backfiller = backfiller;
  const listener = websocketMode
    ? startListener({
        ...websocketSettings(config),
        token: config.accessToken,
        proxy: config.webexProxy,
        webex,
        redis,
        prefix: config.redisPrefix,
        enqueuer: ingest,
        metrics,
        logger: logger.child({ component: "websocket" }),
        onConnected: (reason) => backfiller.trigger(reason),
        ...options.websocket,
      })
    : undefined;
  const readiness = async (): Promise<ReadinessReport> => {
    const redisOk = await redisTakesWrites(redis, config.redisPrefix);
    // A standby listener is ready (it takes over when needed); the active one once its socket is up.
    const checks: Record<string, boolean> = listener
      ? {
          redis: redisOk,
          websocket: listener.status().role === "standby" || listener.status().connected,
        }
      : {
          redis: redisOk,
          secret: registrar.secret() !== undefined,
          registration: registrar.registered(),
        };
    return { ready: Object.values(checks).every(Boolean), checks };
  };
  const app = createApp({
    config,
    enqueuer: ingest,
    metrics,
    logger,
    secret: registrar.secret,
    botId: registrar.botId,
    readiness,
    ingress: config.ingress ?? "webhook",
  });

  // Slow clients do not hold connections for minutes. Node checks these timeouts every
  // `connectionsCheckingInterval` (30 s by default), so the check runs often enough to apply.
  const headersTimeout = options.headersTimeoutMs ?? 10_000;
  const server = createServer(
    {
      headersTimeout,
      requestTimeout: Math.max(30_000, headersTimeout),
      connectionsCheckingInterval: Math.min(1_000, headersTimeout),
    },
    app.callback(),
  );
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
    ...(websocketMode ? { ingress: "websocket" } : { webhookPath: config.webhookPath }),
  });

  let closing: Promise<void> | undefined;
  const close = async () => {
    await closeServer(server, options.closeTimeoutMs ?? 10_000);
    await listener?.stop();
    await registrar.stop();
    await backfiller.stop();
    await ingest.stop();
    if (journal.stats().events > 0 && redis.status === "ready") await ingest.replay();
    await journal.close();
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
    journal,
    ingest,
    registrar,
    backfiller,
    listener,
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

/** The listener's settings from the configuration (defaults for configs built by hand). */
function websocketSettings(config: ReceiverConfig) {
  return (
    config.websocket ?? {
      u2cUrl: defaultU2cUrl(config.webexApiUrl),
      leaseMs: 10_000,
      deviceName: "sparkbot-listener",
    }
  );
}

/** In websocket mode nothing is registered: no webhook secret, nothing to reconcile. */
function noRegistrar(): Registrar {
  return {
    secret: () => undefined,
    botId: () => undefined,
    registered: () => true,
    runOnce: () => Promise.resolve(undefined),
    stop: () => Promise.resolve(),
  };
}
