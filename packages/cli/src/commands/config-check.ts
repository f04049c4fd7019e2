import {
  ConfigError,
  createWebexClient,
  loadReceiverConfig,
  loadWorkerConfig,
  type ReceiverConfig,
  type WorkerConfig,
} from "@sparkbot/core";
import { redisAnswers } from "../lib/redis-ping.js";

type Loaded = { receiver: ReceiverConfig; worker: WorkerConfig };

interface Variable {
  name: string;
  secret?: boolean;
  value(config: Loaded): unknown;
}

/** Every variable the services read, with where its value lands in the loaded configuration. */
export const VARIABLES: readonly Variable[] = [
  { name: "WEBEX_ACCESS_TOKEN", secret: true, value: (c) => c.receiver.accessToken },
  { name: "WEBEX_API_URL", value: (c) => c.receiver.webexApiUrl },
  { name: "WEBEX_CLIENT", value: (c) => c.receiver.webexClient ?? "sdk" },
  { name: "REDIS_URL", value: (c) => maskUrlPassword(c.receiver.redisUrl) },
  { name: "REDIS_PREFIX", value: (c) => c.receiver.redisPrefix },
  { name: "LOG_LEVEL", value: (c) => c.receiver.logLevel },
  { name: "RECEIVER_HOST", value: (c) => c.receiver.host },
  { name: "RECEIVER_PORT", value: (c) => c.receiver.port },
  { name: "WEBHOOK_URL", value: (c) => c.receiver.webhookUrl ?? "(unset: no registration)" },
  { name: "WEBHOOK_PATH", value: (c) => c.receiver.webhookPath },
  {
    name: "WEBHOOK_SECRET",
    secret: true,
    value: (c) => c.receiver.webhookSecret ?? "(unset: generated once, kept in Redis)",
  },
  { name: "WEBHOOK_VERIFY", value: (c) => c.receiver.verifySignatures },
  { name: "WEBHOOK_REMOVE_OTHERS", value: (c) => c.receiver.removeOtherWebhooks },
  { name: "WEBHOOK_CHECK_INTERVAL_S", value: (c) => c.receiver.webhookCheckIntervalSeconds },
  { name: "BODY_LIMIT_BYTES", value: (c) => c.receiver.bodyLimitBytes },
  { name: "BOT_MODULE", value: (c) => c.worker.botModule ?? "(unset: the example bot)" },
  { name: "WORKER_CONCURRENCY", value: (c) => c.worker.concurrency },
  { name: "COMMAND_TIMEOUT_MS", value: (c) => c.worker.commandTimeoutMs },
  { name: "WORKER_HOST", value: (c) => c.worker.host },
  { name: "WORKER_PORT", value: (c) => c.worker.port },
  { name: "DRAIN_TIMEOUT_MS", value: (c) => c.worker.drainTimeoutMs },
];

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
      return {
        config: { receiver: loadReceiverConfig(attempt), worker: loadWorkerConfig(attempt) },
        problems,
      };
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
    const raw = variable.value(config);
    const shown = variable.secret ? maskSecret(String(raw)) : String(raw);
    const unset = options.env[variable.name]?.trim() === undefined || shown.startsWith("(");
    const origin = unset && !shown.startsWith("(") ? "  (default)" : "";
    const isBad = problems.some((problem) => problem.startsWith(variable.name));
    write(`${variable.name.padEnd(25)} ${isBad ? "(invalid)" : shown}${isBad ? "" : origin}`);
  }
  if (problems.length === 0 && !options.offline) {
    problems.push(...(await reachability(config.receiver, write)));
  }
  for (const problem of problems) write(`problem: ${problem}`);
  write(problems.length === 0 ? "config check: ok" : `config check: ${problems.length} problem(s)`);
  return problems.length === 0 ? 0 : 1;
}

async function reachability(
  config: ReceiverConfig,
  write: (line: string) => void,
): Promise<string[]> {
  const problems: string[] = [];
  const redis = maskUrlPassword(config.redisUrl);
  if (await redisAnswers(config.redisUrl, 2_000)) write(`reachable: Redis at ${redis}`);
  else problems.push(`REDIS_URL: Redis at ${redis} does not answer PING`);
  try {
    const webex = createWebexClient({
      accessToken: config.accessToken,
      apiUrl: config.webexApiUrl,
    });
    const me = await webex.people.me();
    write(`reachable: Webex at ${config.webexApiUrl}, the token is ${me.displayName}'s`);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    problems.push(`WEBEX_ACCESS_TOKEN: people/me failed: ${reason}`);
  }
  return problems;
}
