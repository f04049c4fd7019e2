import {
  ConfigError,
  SDK_LOG_LEVELS,
  loadReceiverConfig,
  loadWorkerConfig,
  type Env,
  type ReceiverConfig,
  type WorkerConfig,
} from "@sparkbot/core";
import { loadBot, loadWorkerTuning, type WorkerTuning } from "@sparkbot/worker";
import { redisAnswers } from "../lib/redis-ping.js";
import { probeWebex } from "../lib/webex-probe.js";

type Loaded = { receiver: ReceiverConfig; worker: WorkerConfig; tuning: WorkerTuning };

interface Variable {
  name: string;
  secret?: boolean;
  /** Its value as loaded; a text in parentheses when it has none (`(not set: …)`). */
  value(config: Loaded, env: Env): unknown;
}

/** The raw value of `name`, or `(not set…)` with `meaning` when it is unset. */
function raw(env: Env, name: string, meaning?: string): string {
  const value = env[name]?.trim();
  if (value) return value;
  return meaning === undefined ? "(not set)" : `(not set: ${meaning})`;
}

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
  { name: "WEBEX_CLIENT", value: (c) => c.receiver.webexClient ?? "sdk" },
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
  { name: "BOT_MODULE", value: (c) => c.worker.botModule ?? "(not set: the example bot)" },
  { name: "WORKER_CONCURRENCY", value: (c) => c.worker.concurrency },
  { name: "COMMAND_TIMEOUT_MS", value: (c) => c.worker.commandTimeoutMs },
  { name: "WORKER_HOST", value: (c) => c.worker.host },
  { name: "WORKER_PORT", value: (c) => c.worker.port },
  { name: "DRAIN_TIMEOUT_MS", value: (c) => c.worker.drainTimeoutMs },
  { name: "WORKER_LOCK_DURATION_MS", value: (c) => c.tuning.lockDurationMs },
  { name: "WORKER_STALLED_INTERVAL_MS", value: (c) => c.tuning.stalledIntervalMs },
  { name: "WORKER_MAX_STALLED_COUNT", value: (c) => c.tuning.maxStalledCount },
  { name: "WEBEX_LOG_LEVEL", value: (_c, env) => raw(env, "WEBEX_LOG_LEVEL", "silent") },
  {
    name: "U2C_SERVICE_URL",
    value: (_c, env) => raw(env, "U2C_SERVICE_URL", "Webex's, or WEBEX_API_URL's server"),
  },
  { name: "SLOW_COMMAND_MS", value: (_c, env) => raw(env, "SLOW_COMMAND_MS", "3000, example bot") },
  { name: "EMULATOR_PORT", value: (_c, env) => raw(env, "EMULATOR_PORT", "8900, sparkbot dev") },
  {
    name: "SPARKBOT_SESSION",
    value: (_c, env) => raw(env, "SPARKBOT_SESSION", ".sparkbot/dev.json, sparkbot dev"),
  },
];

/** Problems core's loaders let pass (they fall back), reported here all the same. */
function extraProblems(env: Env): string[] {
  const problems: string[] = [];
  const sdkLevel = env["WEBEX_LOG_LEVEL"]?.trim();
  if (sdkLevel && !SDK_LOG_LEVELS.includes(sdkLevel)) {
    problems.push(
      `WEBEX_LOG_LEVEL must be one of ${SDK_LOG_LEVELS.join(", ")}, got "${sdkLevel}" (the SDK stays silent)`,
    );
  }
  const slow = env["SLOW_COMMAND_MS"]?.trim();
  if (slow && !/^\d+$/.test(slow)) {
    problems.push(
      `SLOW_COMMAND_MS must be a whole number of milliseconds, got "${slow}" (3000 is used)`,
    );
  }
  return problems;
}

/** Shows the first and last 4 characters of a secret at most. */
export function maskSecret(value: string): string {
  if (value.startsWith("(")) return value;
  return value.length <= 12 ? "****" : `${value.slice(0, 4)}…${value.slice(-4)}`;
}

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

/**
 * Loads both services' configuration and collects every problem, not only the first: a bad
 * variable is reported, then treated as unset so the next one can be checked.
 */
export function loadAll(env: NodeJS.ProcessEnv): { config: Loaded; problems: string[] } {
  const attempt: Record<string, string | undefined> = { ...env };
  const problems: string[] = [];
  for (let round = 0; round < 50; round += 1) {
    try {
      const config = {
        receiver: loadReceiverConfig(attempt),
        worker: loadWorkerConfig(attempt),
        tuning: loadWorkerTuning(attempt),
      };
      return { config, problems: [...problems, ...extraProblems(env)] };
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error;
      problems.push(error.message);
      const required = error.variable === "WEBEX_ACCESS_TOKEN";
      attempt[error.variable] = required ? "placeholder-token" : undefined;
    }
  }
  throw new Error(`configuration could not be loaded: ${problems.join("; ")}`);
}

/** Settings of `sparkbot config check`. */
export interface ConfigCheckOptions {
  env: NodeJS.ProcessEnv;
  /** Skip the Redis and Webex reachability checks. */
  offline: boolean;
  write?: (line: string) => void;
}

/** Prints every variable (secrets masked) and one line per problem. Resolves with the exit code. */
export async function runConfigCheck(options: ConfigCheckOptions): Promise<number> {
  const write = options.write ?? ((line: string) => process.stdout.write(`${line}\n`));
  const { config, problems } = loadAll(options.env);
  for (const variable of VARIABLES) {
    write(`${variable.name.padEnd(27)} ${shownValue(variable, config, options.env, problems)}`);
  }
  if (problems.length === 0 && !options.offline) {
    problems.push(...(await reachability(config, write)));
  }
  for (const problem of problems) write(`problem: ${problem}`);
  write(problems.length === 0 ? "config check: ok" : `config check: ${problems.length} problem(s)`);
  return problems.length === 0 ? 0 : 1;
}

/** The value column: masked when secret, `(not set)`/`(invalid)` when it has a problem. */
function shownValue(variable: Variable, config: Loaded, env: Env, problems: string[]): string {
  const isBad = problems.some(
    (problem) =>
      problem.startsWith(variable.name) && !/^[A-Z0-9_]/.test(problem.slice(variable.name.length)),
  );
  if (isBad) return env[variable.name]?.trim() ? "(invalid)" : "(not set)";
  const value = String(variable.value(config, env));
  if (value.startsWith("(")) return value;
  const shown = variable.secret ? maskSecret(value) : value;
  return env[variable.name]?.trim() ? shown : `${shown}  (default)`;
}

/** Checks that Redis and Webex answer and that the bot module loads; the problems found. */
async function reachability(config: Loaded, write: (line: string) => void): Promise<string[]> {
  const problems: string[] = [];
  const { receiver } = config;
  const redis = maskUrlPassword(receiver.redisUrl);
  if (await redisAnswers(receiver.redisUrl, 2_000)) write(`reachable: Redis at ${redis}`);
  else problems.push(`REDIS_URL: Redis at ${redis} does not answer PING`);
  const probe = await probeWebex(receiver.accessToken, receiver.webexApiUrl);
  if (probe.ok) {
    write(`reachable: Webex at ${receiver.webexApiUrl}, the token is ${probe.displayName}'s`);
  } else {
    problems.push(`${probe.subject}: ${probe.message}`);
  }
  try {
    await loadBot(config.worker.botModule);
    write(`loads: the bot module ${config.worker.botModule ?? "(the example bot)"}`);
  } catch (error) {
    problems.push(error instanceof Error ? error.message : String(error));
  }
  return problems;
}
