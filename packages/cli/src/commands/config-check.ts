import {
  ConfigError,
  WEBEX_SDK_LOG_LEVELS,
  createWebexClient,
  loadReceiverConfig,
  loadWorkerConfig,
  readUrl,
  type Env,
  type ReceiverConfig,
  type WorkerConfig,
} from "@sparkbot/core";
import { loadBot, loadWorkerTuning } from "@sparkbot/worker";
import { redisAnswers } from "../lib/redis-ping.js";
import { VARIABLES, maskUrlPassword, type LoadedConfig } from "./config-variables.js";

export { VARIABLES, maskUrlPassword };

/** Shows the first and last 4 characters of a secret at most. */
export function maskSecret(value: string): string {
  if (value.startsWith("(")) return value;
  return value.length <= 12 ? "****" : `${value.slice(0, 4)}…${value.slice(-4)}`;
}

/**
 * Loads both services' configuration and collects every problem, not only the first: a bad
 * variable is reported, then treated as unset so the next one can be checked.
 */
export function loadAll(env: NodeJS.ProcessEnv): { config: LoadedConfig; problems: string[] } {
  const attempt: Record<string, string | undefined> = { ...env };
  const problems: string[] = [];
  for (let round = 0; round < 80; round += 1) {
    try {
      const receiver: ReceiverConfig = loadReceiverConfig(attempt);
      const worker: WorkerConfig = loadWorkerConfig(attempt);
      const tuning = loadWorkerTuning(attempt);
      return { config: { receiver, worker, tuning, sdk: loadSdkSettings(attempt) }, problems };
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
    const isBad = problems.some((problem) => namesVariable(problem, variable.name));
    write(`${variable.name.padEnd(27)} ${isBad ? "(invalid)" : shown}${isBad ? "" : origin}`);
  }
  if (problems.length === 0 && config.worker.access.commands !== undefined) {
    problems.push(...(await checkAccessCommands(config.worker, write)));
  }
  if (problems.length === 0 && !options.offline) {
    problems.push(...(await reachability(config.receiver, write)));
  }
  for (const problem of problems) write(`problem: ${problem}`);
  write(problems.length === 0 ? "config check: ok" : `config check: ${problems.length} problem(s)`);
  return problems.length === 0 ? 0 : 1;
}

/** True when `problem` is about `name` (not about a longer name starting with it). */
function namesVariable(problem: string, name: string): boolean {
  return problem.startsWith(name) && !/^[A-Z0-9_]/.test(problem.charAt(name.length));
}

/** The settings of the Webex SDK client, checked as `config check` only (the SDK is lenient). */
function loadSdkSettings(env: Env): LoadedConfig["sdk"] {
  const logLevel = env["WEBEX_LOG_LEVEL"]?.trim() || undefined;
  if (logLevel !== undefined && !WEBEX_SDK_LOG_LEVELS.includes(logLevel)) {
    throw new ConfigError(
      "WEBEX_LOG_LEVEL",
      `WEBEX_LOG_LEVEL must be one of ${WEBEX_SDK_LOG_LEVELS.join(", ")}, got "${logLevel}"`,
    );
  }
  return { logLevel, u2cUrl: readUrl(env, "U2C_SERVICE_URL", undefined, ["http:", "https:"]) };
}

/** Loads the bot module and checks that every command `ACCESS_COMMANDS` names exists. */
async function checkAccessCommands(
  worker: WorkerConfig,
  write: (line: string) => void,
): Promise<string[]> {
  const module = worker.botModule ?? "the example bot";
  try {
    const bot = await loadBot(worker.botModule);
    const unknown = bot.unknownAccessCommands?.(worker.access);
    if (unknown === undefined) return [`BOT_MODULE: ${module} cannot apply ACCESS_* rules`];
    if (unknown.length > 0) {
      const names = unknown.map((name) => `"${name}"`).join(", ");
      return [`ACCESS_COMMANDS names ${names}, which ${module} has no command for`];
    }
    write(`checked: ACCESS_COMMANDS names commands of ${module}`);
    return [];
  } catch (error) {
    return [error instanceof Error ? error.message : String(error)];
  }
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
