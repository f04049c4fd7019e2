import { resolve } from "node:path";
import type { AccessPolicy } from "../access/rules.js";
import { ConfigError } from "../errors/errors.js";
import { loadAccessPolicy } from "./access-config.js";
import { DEFAULT_KEY_PREFIX } from "../jobs/job.js";
import type { WebexProxy } from "../webex/client.js";
import { DEFAULT_WEBEX_TIMEOUT_MS } from "../webex/sdk-config.js";
import {
  readBool,
  readChoice,
  readInt,
  readString,
  readUrl,
  requireString,
  type Env,
} from "./env.js";

/** Where the receiver journals events when `JOURNAL_DIR` is unset (relative to its working directory). */
export const DEFAULT_JOURNAL_DIR = ".sparkbot/journal";

/** Webex's REST API, used when `WEBEX_API_URL` is unset. */
export const DEFAULT_WEBEX_API_URL = "https://webexapis.com/v1";
/** The values `LOG_LEVEL` accepts. */
export const LOG_LEVELS = ["trace", "debug", "info", "warn", "error", "silent"] as const;
/** One of `LOG_LEVELS`. */
export type LogLevel = (typeof LOG_LEVELS)[number];
/** Implementations of the Webex client: the SDK's plugins, or plain keep-alive HTTP. */
export const WEBEX_CLIENT_KINDS = ["sdk", "http"] as const;
/** One of `WEBEX_CLIENT_KINDS` (`WEBEX_CLIENT`). */
export type WebexClientKind = (typeof WEBEX_CLIENT_KINDS)[number];

/** How events reach the receiver: Webex POSTs webhooks, or it listens on Webex's websocket. */
export const INGRESS_KINDS = ["webhook", "websocket"] as const;
/** One of `INGRESS_KINDS` (`INGRESS`). */
export type IngressKind = (typeof INGRESS_KINDS)[number];
/** Webex's service catalog (U2C), used when `U2C_SERVICE_URL` is unset and the API is Webex's. */
export const DEFAULT_U2C_URL = "https://u2c.wbx2.com/u2c/api/v1";

/** What both services need: Webex, Redis and logging. */
export interface CommonConfig {
  /** `WEBEX_ACCESS_TOKEN`, or the original's `SPARK_ACCESS_TOKEN`. */
  accessToken: string;
  /** `WEBEX_API_URL`: REST base URL ending in `/v1`. */
  webexApiUrl: string;
  /** `REDIS_URL`. */
  redisUrl: string;
  /** `REDIS_PREFIX`: key prefix of the queue (a hash tag, for Redis Cluster). */
  redisPrefix: string;
  /** `LOG_LEVEL`. */
  logLevel: LogLevel;
  /**
   * `WEBEX_CLIENT`: `http` (default: plain keep-alive HTTP, a fraction of the SDK's CPU and
   * memory per call) or `sdk` (the `webex` SDK's plugins, loaded only when chosen). Optional for
   * configs built by hand: absent is `http`.
   */
  webexClient?: WebexClientKind;
  /**
   * `HTTPS_PROXY`, `HTTP_PROXY`, `NO_PROXY` (or their lower-case forms): the proxy the plain
   * HTTP client reaches Webex through. Undefined: no proxy variable is set.
   */
  webexProxy?: WebexProxy;
  /**
   * `WEBEX_TIMEOUT_MS`: how long a Webex call may take before it is abandoned (a send abandoned
   * this way has an unknown outcome, which the worker resolves; see ARCHITECTURE.md).
   * Optional for configs built by hand: absent is the client's default (15 s).
   */
  webexTimeoutMs?: number;
  /**
   * `ROOM_ORDERING`: the commands of one room start in the order they arrived (see
   * jobs/room-order.ts). Optional for configs built by hand: absent is off.
   */
  roomOrdering?: boolean;
}

/** The receiver's settings, from its environment (see `loadReceiverConfig`). */
export interface ReceiverConfig extends CommonConfig {
  /** `RECEIVER_HOST`. */
  host: string;
  /** `RECEIVER_PORT` (or `PORT`). */
  port: number;
  /** `WEBHOOK_PATH`: where Webex POSTs events. */
  webhookPath: string;
  /** `WEBHOOK_URL`: the receiver's public base URL; unset means no webhook registration. */
  webhookUrl: string | undefined;
  /** `WEBHOOK_SECRET`: shared HMAC secret; unset means one generated once and kept in Redis. */
  webhookSecret: string | undefined;
  /** `WEBHOOK_VERIFY`: check `X-Spark-Signature`. Only for local development may it be off. */
  verifySignatures: boolean;
  /** `WEBHOOK_REMOVE_OTHERS`: delete the bot account's other webhooks at registration. */
  removeOtherWebhooks: boolean;
  /** `WEBHOOK_CHECK_INTERVAL_S`: how often registration is re-checked (inactive webhooks revived). */
  webhookCheckIntervalSeconds: number;
  /** `BODY_LIMIT_BYTES`: largest webhook body accepted (413 past it). */
  bodyLimitBytes: number;
  /**
   * `JOURNAL_DIR`: where the receiver journals events Redis cannot take in time (each receiver
   * uses a directory of its own inside it; see the README). Absolute.
   */
  journalDir: string;
  /** `JOURNAL_MAX_BYTES`: the journal's size limit; past it deliveries get 503. */
  journalMaxBytes: number;
  /** `ENQUEUE_TIMEOUT_MS`: how long an enqueue may take before the event is journaled instead. */
  enqueueTimeoutMs: number;
  /**
   * `INGRESS`: `webhook` (default: Webex POSTs events to `WEBHOOK_URL`) or `websocket` (the
   * receiver connects out to Webex's websocket; no public URL). Optional for configs built by
   * hand: absent is `webhook`.
   */
  ingress?: IngressKind;
  /** The websocket listener's settings (read in both modes; used with `INGRESS=websocket`). */
  websocket?: {
    /**
     * `U2C_SERVICE_URL`: the service catalog's base (`<it>/catalog`); default Webex's, or for
     * another `WEBEX_API_URL` (the emulator) that server's `/u2c/api/v1`.
     */
    u2cUrl: string;
    /** `WEBSOCKET_LEASE_MS`: how long the active listener's Redis lease lasts unrenewed. */
    leaseMs: number;
    /** `WEBSOCKET_DEVICE_NAME`: the WDM device name the listener registers and reuses. */
    deviceName: string;
  };
  /** `BACKFILL_*`: recovering what Webex could not deliver (see the README). */
  backfill: {
    /** `BACKFILL_ENABLED`. */
    enabled: boolean;
    /** `BACKFILL_INTERVAL_S`: seconds between periodic passes; 0: only on the triggers. */
    intervalSeconds: number;
    /** `BACKFILL_MAX_AGE_S`: missed commands older than this are not run late. */
    maxAgeSeconds: number;
    /** `BACKFILL_MAX_ROOMS`: rooms one pass looks at, at most. */
    maxRooms: number;
  };
}

/** The worker's settings, from its environment (see `loadWorkerConfig`). */
export interface WorkerConfig extends CommonConfig {
  /** `BOT_MODULE`: path of the module exporting the bot; unset means the example bot. */
  botModule: string | undefined;
  /** `WORKER_CONCURRENCY`: jobs run at once by one worker process. */
  concurrency: number;
  /** `COMMAND_TIMEOUT_MS`: a handler running longer is aborted. */
  commandTimeoutMs: number;
  /** `WORKER_HOST`: address of the metrics and health server. */
  host: string;
  /** `WORKER_PORT`: port of the metrics and health server. */
  port: number;
  /** `DRAIN_TIMEOUT_MS`: how long SIGTERM waits for in-flight jobs. */
  drainTimeoutMs: number;
  /** `ACCESS_*`: the deployment's access policy, applied on top of the bot's own. */
  access: AccessPolicy;
}

const TOKEN_HINT =
  "set it to the bot's access token from developer.webex.com (My Apps), or run `npm run dev` to use the local emulator";

/** Reads the settings both services share; throws `ConfigError` naming a bad or missing one. */
export function loadCommonConfig(env: Env): CommonConfig {
  return {
    accessToken: requireString(env, ["WEBEX_ACCESS_TOKEN", "SPARK_ACCESS_TOKEN"], TOKEN_HINT),
    webexApiUrl:
      readUrl(env, "WEBEX_API_URL", DEFAULT_WEBEX_API_URL, ["http:", "https:"]) ??
      DEFAULT_WEBEX_API_URL,
    redisUrl:
      readUrl(env, "REDIS_URL", "redis://127.0.0.1:6379", ["redis:", "rediss:"]) ??
      "redis://127.0.0.1:6379",
    redisPrefix: readString(env, "REDIS_PREFIX", DEFAULT_KEY_PREFIX) ?? DEFAULT_KEY_PREFIX,
    logLevel: readChoice(env, "LOG_LEVEL", "info", LOG_LEVELS),
    webexClient: readChoice(env, "WEBEX_CLIENT", "http", WEBEX_CLIENT_KINDS),
    webexProxy: readProxy(env),
    roomOrdering: readBool(env, "ROOM_ORDERING", true),
    webexTimeoutMs: readInt(env, "WEBEX_TIMEOUT_MS", DEFAULT_WEBEX_TIMEOUT_MS, {
      min: 100,
      max: 600_000,
    }),
  };
}

/**
 * The proxy variables, upper case first (as curl and undici read them); each URL must be
 * `http:` or `https:`. Undefined when neither `HTTPS_PROXY` nor `HTTP_PROXY` is set.
 */
export function readProxy(env: Env): WebexProxy | undefined {
  const protocols = ["http:", "https:"];
  const httpsProxy =
    readUrl(env, "HTTPS_PROXY", undefined, protocols) ??
    readUrl(env, "https_proxy", undefined, protocols);
  const httpProxy =
    readUrl(env, "HTTP_PROXY", undefined, protocols) ??
    readUrl(env, "http_proxy", undefined, protocols);
  if (httpsProxy === undefined && httpProxy === undefined) return undefined;
  const noProxy = readString(env, "NO_PROXY") ?? readString(env, "no_proxy");
  return {
    ...(httpsProxy !== undefined ? { httpsProxy } : {}),
    ...(httpProxy !== undefined ? { httpProxy } : {}),
    ...(noProxy !== undefined ? { noProxy } : {}),
  };
}

/** Reads the receiver's settings; throws `ConfigError` naming a bad or missing variable. */
export function loadReceiverConfig(env: Env): ReceiverConfig {
  const port = env["RECEIVER_PORT"] !== undefined ? "RECEIVER_PORT" : "PORT";
  const webhookPath = readString(env, "WEBHOOK_PATH", "/sparkbot") ?? "/sparkbot";
  if (!webhookPath.startsWith("/")) {
    throw new ConfigError("WEBHOOK_PATH", `WEBHOOK_PATH must start with "/", got "${webhookPath}"`);
  }
  const common = loadCommonConfig(env);
  return {
    ...common,
    host: readString(env, "RECEIVER_HOST", "0.0.0.0") ?? "0.0.0.0",
    port: readInt(env, port, 8080, { min: 0, max: 65535 }),
    webhookPath,
    webhookUrl: readUrl(env, "WEBHOOK_URL", undefined, ["http:", "https:"]),
    webhookSecret: readString(env, "WEBHOOK_SECRET"),
    verifySignatures: readBool(env, "WEBHOOK_VERIFY", true),
    removeOtherWebhooks: readBool(env, "WEBHOOK_REMOVE_OTHERS", true),
    webhookCheckIntervalSeconds: readInt(env, "WEBHOOK_CHECK_INTERVAL_S", 15, { min: 5 }),
    bodyLimitBytes: readInt(env, "BODY_LIMIT_BYTES", 256 * 1024, { min: 1024 }),
    journalDir: resolve(readString(env, "JOURNAL_DIR", DEFAULT_JOURNAL_DIR) ?? DEFAULT_JOURNAL_DIR),
    journalMaxBytes: readInt(env, "JOURNAL_MAX_BYTES", 256 * 1024 * 1024, { min: 64 * 1024 }),
    enqueueTimeoutMs: readInt(env, "ENQUEUE_TIMEOUT_MS", 500, { min: 10, max: 60_000 }),
    ingress: readChoice(env, "INGRESS", "webhook", INGRESS_KINDS),
    websocket: {
      u2cUrl:
        readUrl(env, "U2C_SERVICE_URL", undefined, ["http:", "https:"]) ??
        defaultU2cUrl(common.webexApiUrl),
      leaseMs: readInt(env, "WEBSOCKET_LEASE_MS", 10_000, { min: 2_000, max: 300_000 }),
      deviceName:
        readString(env, "WEBSOCKET_DEVICE_NAME", "sparkbot-listener") ?? "sparkbot-listener",
    },
    backfill: {
      enabled: readBool(env, "BACKFILL_ENABLED", true),
      intervalSeconds: readInt(env, "BACKFILL_INTERVAL_S", 60, { min: 0 }),
      // Missed commands are looked for in the last hour at most (see the backfill's horizon).
      maxAgeSeconds: readInt(env, "BACKFILL_MAX_AGE_S", 600, { min: 10, max: 3000 }),
      maxRooms: readInt(env, "BACKFILL_MAX_ROOMS", 100, { min: 1, max: 1000 }),
    },
  };
}

/** Webex's catalog for Webex's API; for another API URL (the emulator), that server's. */
export function defaultU2cUrl(webexApiUrl: string): string {
  if (new URL(webexApiUrl).hostname === new URL(DEFAULT_WEBEX_API_URL).hostname) {
    return DEFAULT_U2C_URL;
  }
  return `${webexApiUrl.replace(/\/v1\/?$/, "")}/u2c/api/v1`;
}

/** Reads the worker's settings; throws `ConfigError` naming a bad or missing variable. */
export function loadWorkerConfig(env: Env): WorkerConfig {
  return {
    ...loadCommonConfig(env),
    botModule: readString(env, "BOT_MODULE"),
    concurrency: readInt(env, "WORKER_CONCURRENCY", 16, { min: 1, max: 1000 }),
    commandTimeoutMs: readInt(env, "COMMAND_TIMEOUT_MS", 60_000, { min: 100 }),
    host: readString(env, "WORKER_HOST", "0.0.0.0") ?? "0.0.0.0",
    port: readInt(env, "WORKER_PORT", 9464, { min: 0, max: 65535 }),
    drainTimeoutMs: readInt(env, "DRAIN_TIMEOUT_MS", 30_000, { min: 0 }),
    access: loadAccessPolicy(env),
  };
}
