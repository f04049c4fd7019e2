import { existsSync } from "node:fs";
import { SERVICE_NODE_FLAGS } from "@sparkbot/core";
import { join } from "node:path";
import { freePort, waitForHttp } from "./net.js";
import { startProcess, type ChildHandle } from "./proc.js";

/** Where the built services live, relative to the repository root. */
export const RECEIVER_MAIN = "services/receiver/dist/main.js";
export const WORKER_MAIN = "services/worker/dist/main.js";

/** What every SparkBot service of one run shares. */
export interface ServiceEnv {
  root: string;
  token: string;
  apiUrl: string;
  redisUrl: string;
  redisPrefix: string;
  logLevel: string;
  /** `WEBEX_CLIENT` of the services: `sdk` (their default) or `http`. */
  webexClient?: "sdk" | "http";
}

/** A started receiver: its process and the URL Webex (the emulator) posts to. */
export interface ReceiverProcess {
  handle: ChildHandle;
  baseUrl: string;
  webhookUrl: string;
  metricsUrl: string;
}

/** Throws a one-line reason when a service has not been built (or does not exist yet). */
export function requireBuilt(root: string, main: string): void {
  if (!existsSync(join(root, main))) {
    throw new Error(`${main} is missing (service not built or not landed yet; run \`pnpm build\`)`);
  }
}

function commonEnv(env: ServiceEnv): Record<string, string> {
  return {
    WEBEX_ACCESS_TOKEN: env.token,
    WEBEX_API_URL: env.apiUrl,
    REDIS_URL: env.redisUrl,
    REDIS_PREFIX: env.redisPrefix,
    LOG_LEVEL: env.logLevel,
    NODE_ENV: "production",
    ...(env.webexClient !== undefined ? { WEBEX_CLIENT: env.webexClient } : {}),
  };
}

/**
 * Starts `services/receiver/dist/main.js` on a free port and waits for `/healthz`. With
 * `register`, it registers its webhook with the emulator at start (`WEBHOOK_URL`).
 */
export async function startReceiverProcess(
  env: ServiceEnv,
  options: {
    secret: string;
    register: boolean;
    nodeArgs?: string[];
    name?: string;
    /** Listen on this port (a restart at the same address); default a free one. */
    port?: number;
    /** More environment variables (e.g. `JOURNAL_DIR`, `BACKFILL_INTERVAL_S`). */
    env?: Record<string, string>;
    /** Called with every line the process writes. */
    onLine?: (line: string) => void;
    /** How long to wait for `/healthz` (default 20 s). */
    readyTimeoutMs?: number;
  },
): Promise<ReceiverProcess> {
  requireBuilt(env.root, RECEIVER_MAIN);
  const port = options.port ?? (await freePort());
  const baseUrl = `http://127.0.0.1:${port}`;
  const handle = startProcess({
    name: options.name ?? "receiver",
    script: join(env.root, RECEIVER_MAIN),
    cwd: env.root,
    nodeArgs: options.nodeArgs ?? [...SERVICE_NODE_FLAGS],
    env: {
      ...commonEnv(env),
      RECEIVER_HOST: "127.0.0.1",
      RECEIVER_PORT: String(port),
      WEBHOOK_SECRET: options.secret,
      WEBHOOK_URL: options.register ? baseUrl : undefined,
      ...options.env,
    },
    ...(options.onLine !== undefined ? { onLine: options.onLine } : {}),
  });
  await Promise.race([
    waitForHttp(`${baseUrl}/healthz`, options.readyTimeoutMs ?? 20_000, "receiver /healthz"),
    handle.exited.then((code) => {
      throw new Error(`receiver exited (${code}) at start:\n${handle.tail()}`);
    }),
  ]);
  return { handle, baseUrl, webhookUrl: `${baseUrl}/sparkbot`, metricsUrl: `${baseUrl}/metrics` };
}

/** A started worker: its process and its metrics URL. */
export interface WorkerProcess {
  handle: ChildHandle;
  metricsUrl: string;
}

/**
 * Starts one `services/worker/dist/main.js` (the example bot unless `env.BOT_MODULE` says
 * otherwise) and waits for its `/healthz`.
 */
export async function startWorkerProcess(
  env: ServiceEnv,
  options: {
    index: number;
    concurrency: number;
    nodeArgs?: string[];
    /** More environment variables (e.g. `BOT_MODULE`, `WORKER_LOCK_DURATION_MS`). */
    env?: Record<string, string>;
    /** Called with every line the process writes. */
    onLine?: (line: string) => void;
    /** How long to wait for `/healthz` (default 20 s). */
    readyTimeoutMs?: number;
  },
): Promise<WorkerProcess> {
  requireBuilt(env.root, WORKER_MAIN);
  const port = await freePort();
  const handle = startProcess({
    name: `worker-${options.index}`,
    script: join(env.root, WORKER_MAIN),
    cwd: env.root,
    nodeArgs: options.nodeArgs ?? [...SERVICE_NODE_FLAGS],
    env: {
      ...commonEnv(env),
      WORKER_HOST: "127.0.0.1",
      WORKER_PORT: String(port),
      WORKER_CONCURRENCY: String(options.concurrency),
      ...options.env,
    },
    ...(options.onLine !== undefined ? { onLine: options.onLine } : {}),
  });
  await Promise.race([
    waitForHttp(
      `http://127.0.0.1:${port}/healthz`,
      options.readyTimeoutMs ?? 20_000,
      `worker-${options.index} /healthz`,
    ),
    handle.exited.then((code) => {
      throw new Error(`worker-${options.index} exited (${code}) at start:\n${handle.tail()}`);
    }),
  ]);
  return { handle, metricsUrl: `http://127.0.0.1:${port}/metrics` };
}
