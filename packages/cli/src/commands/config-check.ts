import {
  ConfigError,
  WEBEX_SDK_LOG_LEVELS,
  loadReceiverConfig,
  loadWorkerConfig,
  readUrl,
  type Env,
  type ReceiverConfig,
  type WorkerConfig,
} from "@sparkbot/core";
import { loadBot, loadWorkerTuning } from "@sparkbot/worker";
import { redisAnswers } from "../lib/redis-ping.js";
import { probeWebex } from "../lib/webex-probe.js";
import {
  VARIABLES,
  maskUrlPassword,
  type LoadedConfig,
  type Variable,
} from "./config-variables.js";

export { VARIABLES, maskUrlPassword };

/** Problems core's loaders let pass (they fall back), reported here all the same. */
function extraProblems(env: Env): string[] {
  const problems: string[] = [];
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
      const config = { receiver, worker, tuning, sdk: loadSdkSettings(attempt) };
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
  if (problems.length === 0 && config.worker.access.commands !== undefined) {
    problems.push(...(await checkAccessCommands(config.worker, write)));
  }
  if (problems.length === 0 && !options.offline) {
    problems.push(...(await reachability(config, write)));
  }
  for (const problem of problems) write(`problem: ${problem}`);
  write(problems.length === 0 ? "config check: ok" : `config check: ${problems.length} problem(s)`);
  return problems.length === 0 ? 0 : 1;
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

/** The value column: masked when secret, `(not set)`/`(invalid)` when it has a problem. */
function shownValue(
  variable: Variable,
  config: LoadedConfig,
  env: Env,
  problems: string[],
): string {
  // About this variable, not about a longer name starting with it.
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
async function reachability(
  config: LoadedConfig,
  write: (line: string) => void,
): Promise<string[]> {
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
