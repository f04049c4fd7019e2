import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  createWebexClient,
  loadReceiverConfig,
  loadWorkerConfig,
  silentLogger,
  type SparkBot,
} from "@sparkbot/core";
import { EmulatorControl, startEmulator, type RunningEmulator } from "@sparkbot/emulator";
import { startReceiver, type RunningReceiver } from "@sparkbot/receiver";
import { startWorker, type RunningWorker } from "@sparkbot/worker";
import { TEST_REDIS_URL, deletePrefix, freePort, uniquePrefix, waitFor } from "@sparkbot/testkit";
import { sessionPerson, setUpWorld, type EmulatorWorld } from "../../src/dev/emulator-setup.js";
import { writeSession, type DevSession } from "../../src/dev/session.js";

/**
 * What `sparkbot dev` runs, in this process: the emulator with the dev world, a real receiver
 * (its webhooks registered with the emulator) and a real worker running `bot`, on a private
 * Redis prefix; plus the session file `say` reads.
 */
export interface InProcessSession {
  emulator: RunningEmulator;
  control: EmulatorControl;
  world: EmulatorWorld;
  session: DevSession;
  sessionPath: string;
  /** Writes another session file (e.g. one pointing elsewhere) next to the first. */
  writeVariant(name: string, change: (session: DevSession) => DevSession): string;
  close(): Promise<void>;
}

export async function startInProcessSession(bot: SparkBot): Promise<InProcessSession> {
  const emulator = await startEmulator({ port: 0 });
  const control = new EmulatorControl(emulator.url);
  const world = await setUpWorld(control);
  const prefix = uniquePrefix("say");
  const port = await freePort();
  const env = {
    WEBEX_ACCESS_TOKEN: world.bot.token,
    WEBEX_API_URL: emulator.apiUrl,
    REDIS_URL: TEST_REDIS_URL,
    REDIS_PREFIX: prefix,
    LOG_LEVEL: "silent",
    RECEIVER_HOST: "127.0.0.1",
    RECEIVER_PORT: String(port),
    WEBHOOK_URL: `http://127.0.0.1:${port}`,
    WORKER_HOST: "127.0.0.1",
    WORKER_PORT: "0",
    COMMAND_TIMEOUT_MS: "3000",
    DRAIN_TIMEOUT_MS: "1000",
  };
  const receiver: RunningReceiver = await startReceiver(loadReceiverConfig(env), {
    webex: createWebexClient({ accessToken: world.bot.token, apiUrl: emulator.apiUrl }),
    logger: silentLogger,
    defaultMetrics: false,
  });
  await waitFor(() => receiver.registrar.registered(), { timeoutMs: 10_000, what: "webhooks" });
  const worker: RunningWorker = await startWorker(loadWorkerConfig(env), {
    bot,
    logger: silentLogger,
  });
  const dir = mkdtempSync(join(tmpdir(), "sparkbot-say-"));
  const session: DevSession = {
    mode: "emulator",
    startedAt: new Date().toISOString(),
    pid: process.pid,
    redisUrl: TEST_REDIS_URL,
    redisSource: "env",
    redisPrefix: prefix,
    receiverUrl: env.WEBHOOK_URL,
    workerUrl: worker.healthUrl.replace(/\/healthz$/, ""),
    emulator: {
      url: emulator.url,
      apiUrl: emulator.apiUrl,
      chatUrl: `${emulator.url}/chat`,
      bot: sessionPerson(world.bot),
      user: sessionPerson(world.user),
      rooms: world.rooms,
    },
    pids: {},
  };
  const sessionPath = join(dir, "dev.json");
  writeSession(sessionPath, session);
  return {
    emulator,
    control,
    world,
    session,
    sessionPath,
    writeVariant(name, change) {
      const path = join(dir, `${name}.json`);
      writeSession(path, change(structuredClone(session)));
      return path;
    },
    async close() {
      await worker.close();
      await receiver.close();
      await emulator.close();
      await deletePrefix(prefix);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
