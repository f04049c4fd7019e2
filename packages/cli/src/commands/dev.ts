import { dirname, join } from "node:path";
import { existsSync } from "node:fs";
import { DEFAULT_KEY_PREFIX, DEFAULT_WEBEX_API_URL, serviceNodeFlags } from "@sparkbot/core";
import { EmulatorControl } from "@sparkbot/emulator";
import { ChildSet } from "../dev/children.js";
import { readyBanner } from "../dev/banner.js";
import { sessionPerson, setUpWorld } from "../dev/emulator-setup.js";
import { DevSetupError, chooseDevMode, resolveBotModule, type DevMode } from "../dev/mode.js";
import { NoRedisError, provideRedis, type DevRedis } from "../dev/redis.js";
import { removeSession, writeSession, type DevSession } from "../dev/session.js";
import { choosePort } from "../lib/ports.js";
import { waitForHttp } from "../lib/wait-http.js";
import { probeWebex } from "../lib/webex-probe.js";
import { ENTRY_POINTS } from "../paths.js";

/** Settings of `sparkbot dev` (flags; ports left undefined use defaults or any free port). */
export interface DevOptions {
  sessionPath: string;
  emulatorPort?: number;
  receiverPort?: number;
  workerPort?: number;
  /** Milliseconds each process gets to stop after SIGTERM before SIGKILL. */
  stopGraceMs?: number;
  /** `--bot`: the bot module the worker runs (else `BOT_MODULE`, else the example bot). */
  bot?: string;
  /** `--emulator`: run on the local emulator even when the environment names a token. */
  emulator?: boolean;
  /** `--websocket` (or `INGRESS=websocket`): the receiver listens on the websocket, no webhook. */
  websocket?: boolean;
}

const HOST = "127.0.0.1";

function missingBuilds(emulator: boolean): string[] {
  const needed = [ENTRY_POINTS.receiver, ENTRY_POINTS.worker];
  if (emulator) needed.push(ENTRY_POINTS.emulator);
  return needed.filter((path) => !existsSync(path));
}

/**
 * Runs the whole system locally until SIGINT/SIGTERM: Redis, the emulator (unless real Webex is
 * configured), the receiver and one worker. Resolves with the exit code once everything stopped.
 */
export async function runDev(options: DevOptions, env = process.env): Promise<number> {
  let mode: DevMode;
  let botModule: string | undefined;
  try {
    mode = chooseDevMode(env, options.emulator, options.websocket);
    botModule = resolveBotModule(options.bot, env);
  } catch (error) {
    if (!(error instanceof DevSetupError)) throw error;
    process.stderr.write(`sparkbot dev: ${error.message}\n`);
    return 1;
  }
  const useEmulator = mode.kind === "emulator";
  const missing = missingBuilds(useEmulator);
  if (missing.length > 0) {
    process.stderr.write(`sparkbot dev: not built (${missing.join(", ")}): run \`npm run dev\`\n`);
    return 1;
  }
  if (mode.kind === "emulator" && mode.note !== undefined) {
    process.stdout.write(`sparkbot dev: ${mode.note}\n`);
  }
  if (mode.kind === "webex") {
    const apiUrl = env["WEBEX_API_URL"]?.trim() || DEFAULT_WEBEX_API_URL;
    const probe = await probeWebex(mode.token, apiUrl);
    if (!probe.ok) {
      process.stderr.write(`sparkbot dev: ${probe.subject}: ${probe.message}\n`);
      return 1;
    }
    process.stdout.write(
      `sparkbot dev: Webex at ${apiUrl} knows the token as ${probe.displayName}\n`,
    );
  }
  const children = new ChildSet((line) => process.stdout.write(`${line}\n`), process.stdout.isTTY);
  let redis: DevRedis | undefined;
  let finish: (code: number) => void = () => undefined;
  const finished = new Promise<number>((resolve) => (finish = resolve));
  let stopping = false;
  const stop = async (code: number, why: string): Promise<void> => {
    if (stopping) return;
    stopping = true;
    process.stdout.write(`sparkbot dev: ${why}, stopping...\n`);
    await children.stopAll(options.stopGraceMs ?? 10_000);
    redis?.cleanup();
    removeSession(options.sessionPath);
    process.stdout.write("sparkbot dev: stopped\n");
    finish(code);
  };
  const onSignal = (signal: NodeJS.Signals) => void stop(0, `${signal} received`);
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
  process.on("SIGHUP", onSignal);
  process.on("exit", () => children.killAllNow());
  let started = false;
  const stopForExit = () => void stop(1, children.firstExit() ?? "a process exited unexpectedly");
  // During start, the wait that notices a process died reports it (below).
  children.onUnexpectedExit(() => started && stopForExit());

  try {
    // Against Webex, the private Redis keeps its data in .sparkbot/redis (beside the session
    // file) so that accepted jobs survive a crash; the emulator forgets everything anyway.
    const dataDir = useEmulator ? undefined : join(dirname(options.sessionPath), "redis");
    redis = await provideRedis(env, children, undefined, dataDir);
    const serviceEnv: NodeJS.ProcessEnv = { REDIS_URL: redis.url };
    if (botModule !== undefined) serviceEnv["BOT_MODULE"] = botModule;
    const session = await startServices(options, env, children, serviceEnv, redis, useEmulator);
    started = true;
    if (children.firstExit() !== undefined) stopForExit();
    if (!stopping) {
      writeSession(options.sessionPath, session);
      process.stdout.write(`${readyBanner(session, options.sessionPath).join("\n")}\n`);
    }
  } catch (error) {
    // When a process died, it is the cause, whatever the wait that noticed it says.
    const exit = children.firstExit();
    const message = exit ?? (error instanceof Error ? error.message : String(error));
    process.stderr.write(`sparkbot dev: ${exit === undefined ? "" : "start failed: "}${message}\n`);
    if (!(error instanceof NoRedisError))
      process.stderr.write("sparkbot dev: see the logs above\n");
    await stop(1, "start failed");
  }
  return finished;
}

async function startServices(
  options: DevOptions,
  env: NodeJS.ProcessEnv,
  children: ChildSet,
  serviceEnv: NodeJS.ProcessEnv,
  redis: DevRedis,
  useEmulator: boolean,
): Promise<DevSession> {
  const failed = () => children.firstExit();
  let emulator: DevSession["emulator"];
  if (useEmulator) {
    const port = await choosePort(options.emulatorPort, 8900);
    const url = `http://${HOST}:${port}`;
    children.start("emulator", process.execPath, emulatorArgs(port), {});
    await waitForHttp(`${url}/_emulator/deliveries`, { failed });
    const world = await setUpWorld(new EmulatorControl(url));
    emulator = {
      url,
      apiUrl: `${url}/v1`,
      chatUrl: `${url}/chat`,
      bot: sessionPerson(world.bot),
      user: sessionPerson(world.user),
      rooms: world.rooms,
    };
    serviceEnv["WEBEX_ACCESS_TOKEN"] = world.bot.token;
    serviceEnv["WEBEX_API_URL"] = emulator.apiUrl;
  }
  const receiverPort = await choosePort(options.receiverPort, 8080);
  const workerPort = await choosePort(options.workerPort, 9464);
  const receiverHost = useEmulator ? HOST : (env["RECEIVER_HOST"] ?? HOST);
  if (options.websocket) {
    serviceEnv["INGRESS"] = "websocket";
    serviceEnv["WEBHOOK_URL"] = "";
  } else if (useEmulator) serviceEnv["WEBHOOK_URL"] = `http://${HOST}:${receiverPort}`;
  const nodeFlags = serviceNodeFlags(env["NODE_OPTIONS"]);
  children.start("receiver", process.execPath, [...nodeFlags, ENTRY_POINTS.receiver], {
    ...serviceEnv,
    RECEIVER_HOST: receiverHost,
    RECEIVER_PORT: String(receiverPort),
  });
  children.start("worker", process.execPath, [...nodeFlags, ENTRY_POINTS.worker], {
    ...serviceEnv,
    WORKER_HOST: HOST,
    WORKER_PORT: String(workerPort),
    DRAIN_TIMEOUT_MS: env["DRAIN_TIMEOUT_MS"] ?? "5000",
  });
  const receiverUrl = `http://${HOST}:${receiverPort}`;
  const workerUrl = `http://${HOST}:${workerPort}`;
  await Promise.all([
    waitForHttp(`${receiverUrl}/readyz`, { failed }),
    waitForHttp(`${workerUrl}/healthz`, { failed }),
  ]);
  return {
    mode: useEmulator ? "emulator" : "webex",
    ingress: options.websocket ? "websocket" : "webhook",
    startedAt: new Date().toISOString(),
    pid: process.pid,
    redisUrl: redis.url,
    redisSource: redis.source,
    redisPrefix: env["REDIS_PREFIX"]?.trim() || DEFAULT_KEY_PREFIX,
    receiverUrl,
    workerUrl,
    emulator,
    botModule: serviceEnv["BOT_MODULE"],
    pids: children.pids(),
  };
}

function emulatorArgs(port: number): string[] {
  return [ENTRY_POINTS.emulator, "--port", String(port), "--host", HOST];
}
