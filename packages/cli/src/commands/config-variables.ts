import { SERVICE_NODE_FLAGS } from "@sparkbot/core";
import type { AccessRule, Env, ReceiverConfig, WorkerConfig } from "@sparkbot/core";
import type { WorkerTuning } from "@sparkbot/worker";

/** Everything the services read, loaded as they load it. */
export interface LoadedConfig {
  receiver: ReceiverConfig;
  worker: WorkerConfig;
  tuning: WorkerTuning;
  /** `WEBEX_LOG_LEVEL` and `U2C_SERVICE_URL`, read by the Webex SDK client. */
  sdk: { logLevel: string | undefined; u2cUrl: string | undefined };
}

/** One variable: its name, whether it is secret, and its loaded value. */
export interface Variable {
  name: string;
  secret?: boolean;
  /** Its value as loaded; a text in parentheses when it has none (`(not set: …)`). */
  value(config: LoadedConfig, env: Env): unknown;
}

/** The raw value of `name`, or `(not set…)` with `meaning` when it is unset. */
function raw(env: Env, name: string, meaning?: string): string {
  const value = env[name]?.trim();
  if (value) return value;
  return meaning === undefined ? "(not set)" : `(not set: ${meaning})`;
}

/** A proxy URL, its password masked; or why there is none. */
function proxyValue(url: string | undefined): string {
  return url === undefined ? "(not set: direct connections)" : maskUrlPassword(url);
}

const rule = (config: LoadedConfig, field: keyof AccessRule, unset: string): string => {
  const items = config.worker.access.allow?.[field];
  return items === undefined || items.length === 0 ? unset : items.join(", ");
};

/**
 * Every variable the services (and `sparkbot dev`) read, with where its value lands in the
 * loaded configuration. `config-variables.test.ts` checks the sources for any variable missing
 * here or in the README's configuration table.
 */
export const VARIABLES: readonly Variable[] = [
  {
    name: "WEBEX_ACCESS_TOKEN",
    secret: true,
    value: (c, env) =>
      env["WEBEX_ACCESS_TOKEN"]?.trim()
        ? c.receiver.accessToken
        : "(not set: SPARK_ACCESS_TOKEN is used)",
  },
  { name: "SPARK_ACCESS_TOKEN", secret: true, value: (_c, env) => raw(env, "SPARK_ACCESS_TOKEN") },
  { name: "WEBEX_API_URL", value: (c) => c.receiver.webexApiUrl },
  { name: "WEBEX_CLIENT", value: (c) => c.receiver.webexClient ?? "http" },
  { name: "HTTPS_PROXY", value: (c) => proxyValue(c.receiver.webexProxy?.httpsProxy) },
  { name: "HTTP_PROXY", value: (c) => proxyValue(c.receiver.webexProxy?.httpProxy) },
  {
    name: "NO_PROXY",
    value: (c) => c.receiver.webexProxy?.noProxy ?? "(not set: every call goes through the proxy)",
  },
  { name: "WEBEX_TIMEOUT_MS", value: (c) => c.receiver.webexTimeoutMs ?? 15_000 },
  { name: "WEBEX_LOG_LEVEL", value: (c) => c.sdk.logLevel ?? "silent" },
  {
    name: "U2C_SERVICE_URL",
    value: (c) =>
      c.sdk.u2cUrl ??
      `(not set: ${c.receiver.websocket?.u2cUrl ?? "Webex's, or WEBEX_API_URL's server"})`,
  },
  { name: "ROOM_ORDERING", value: (c) => c.receiver.roomOrdering ?? false },
  { name: "REDIS_URL", value: (c) => maskUrlPassword(c.receiver.redisUrl) },
  { name: "REDIS_PREFIX", value: (c) => c.receiver.redisPrefix },
  { name: "LOG_LEVEL", value: (c) => c.receiver.logLevel },
  { name: "RECEIVER_HOST", value: (c) => c.receiver.host },
  { name: "RECEIVER_PORT", value: (c) => c.receiver.port },
  {
    name: "PORT",
    value: (_c, env) =>
      env["RECEIVER_PORT"]?.trim() && env["PORT"]?.trim()
        ? "(ignored: RECEIVER_PORT is set)"
        : raw(env, "PORT", "RECEIVER_PORT's other name"),
  },
  { name: "INGRESS", value: (c) => c.receiver.ingress ?? "webhook" },
  { name: "WEBSOCKET_LEASE_MS", value: (c) => c.receiver.websocket?.leaseMs ?? 10_000 },
  {
    name: "WEBSOCKET_DEVICE_NAME",
    value: (c) => c.receiver.websocket?.deviceName ?? "sparkbot-listener",
  },
  { name: "WEBHOOK_URL", value: (c) => c.receiver.webhookUrl ?? "(not set: no registration)" },
  { name: "WEBHOOK_PATH", value: (c) => c.receiver.webhookPath },
  {
    name: "WEBHOOK_SECRET",
    secret: true,
    value: (c) => c.receiver.webhookSecret ?? "(not set: generated once, kept in Redis)",
  },
  { name: "WEBHOOK_VERIFY", value: (c) => c.receiver.verifySignatures },
  { name: "WEBHOOK_REMOVE_OTHERS", value: (c) => c.receiver.removeOtherWebhooks },
  { name: "WEBHOOK_CHECK_INTERVAL_S", value: (c) => c.receiver.webhookCheckIntervalSeconds },
  { name: "BODY_LIMIT_BYTES", value: (c) => c.receiver.bodyLimitBytes },
  { name: "JOURNAL_DIR", value: (c) => c.receiver.journalDir },
  { name: "JOURNAL_MAX_BYTES", value: (c) => c.receiver.journalMaxBytes },
  { name: "ENQUEUE_TIMEOUT_MS", value: (c) => c.receiver.enqueueTimeoutMs },
  { name: "BACKFILL_ENABLED", value: (c) => c.receiver.backfill.enabled },
  { name: "BACKFILL_INTERVAL_S", value: (c) => c.receiver.backfill.intervalSeconds },
  { name: "BACKFILL_MAX_AGE_S", value: (c) => c.receiver.backfill.maxAgeSeconds },
  { name: "BACKFILL_MAX_ROOMS", value: (c) => c.receiver.backfill.maxRooms },
  { name: "BOT_MODULE", value: (c) => c.worker.botModule ?? "(not set: the example bot)" },
  { name: "WORKER_CONCURRENCY", value: (c) => c.worker.concurrency },
  { name: "COMMAND_TIMEOUT_MS", value: (c) => c.worker.commandTimeoutMs },
  { name: "WORKER_HOST", value: (c) => c.worker.host },
  { name: "WORKER_PORT", value: (c) => c.worker.port },
  { name: "DRAIN_TIMEOUT_MS", value: (c) => c.worker.drainTimeoutMs },
  { name: "WORKER_LOCK_DURATION_MS", value: (c) => c.tuning.lockDurationMs },
  { name: "WORKER_STALLED_INTERVAL_MS", value: (c) => c.tuning.stalledIntervalMs },
  { name: "WORKER_MAX_STALLED_COUNT", value: (c) => c.tuning.maxStalledCount },
  { name: "ACCESS_ALLOW_EMAILS", value: (c) => rule(c, "emails", "(not set: anyone)") },
  { name: "ACCESS_ALLOW_EMAIL_DOMAINS", value: (c) => rule(c, "emailDomains", "(not set: any)") },
  { name: "ACCESS_ALLOW_ORG_IDS", value: (c) => rule(c, "orgIds", "(not set: any)") },
  { name: "ACCESS_ALLOW_ROOM_IDS", value: (c) => rule(c, "roomIds", "(not set: any room)") },
  { name: "ACCESS_ALLOW_ROOM_TYPES", value: (c) => rule(c, "roomTypes", "(not set: any)") },
  {
    name: "ACCESS_COMMANDS",
    value: (c) =>
      c.worker.access.commands === undefined
        ? "(not set: no rules per command)"
        : JSON.stringify(c.worker.access.commands),
  },
  { name: "ACCESS_DENIED", value: (c) => c.worker.access.denied ?? "reply" },
  {
    name: "ACCESS_DENIED_TEXT",
    value: (c) => c.worker.access.deniedText ?? "(not set: the bot's accessDenied text)",
  },
  { name: "ACCESS_ALLOW_BOTS", value: (c) => c.worker.access.allowBots ?? false },
  { name: "SLOW_COMMAND_MS", value: (_c, env) => raw(env, "SLOW_COMMAND_MS", "3000, example bot") },
  { name: "EMULATOR_PORT", value: (_c, env) => raw(env, "EMULATOR_PORT", "8900, sparkbot dev") },
  {
    name: "SPARKBOT_SESSION",
    value: (_c, env) => raw(env, "SPARKBOT_SESSION", ".sparkbot/dev.json, sparkbot dev"),
  },
  {
    name: "NODE_OPTIONS",
    value: (_c, env) =>
      raw(env, "NODE_OPTIONS", `${SERVICE_NODE_FLAGS.join(" ")} in the image and sparkbot dev`),
  },
];

/** Replaces the password of a URL with `****`. */
export function maskUrlPassword(value: string): string {
  try {
    const url = new URL(value);
    if (url.password === "") return value;
    url.password = "****";
    return url.toString().replace(/\/$/, "");
  } catch {
    return value;
  }
}
