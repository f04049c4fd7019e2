import {
  createWebexClient,
  loadReceiverConfig,
  loadWorkerConfig,
  silentLogger,
  type Message,
  type Room,
  type WorkerConfig,
} from "@sparkbot/core";
import { EmulatorControl, startEmulator, type ControlPerson } from "@sparkbot/emulator";
import type { RunningEmulator } from "@sparkbot/emulator";
import { startReceiver, type RunningReceiver } from "@sparkbot/receiver";
import { TEST_REDIS_URL, deletePrefix, freePort, uniquePrefix, waitFor } from "@sparkbot/testkit";
import { bot as testBot } from "../fixtures/test-bot.js";
import { startWorker, type RunningWorker, type StartWorkerOptions } from "../../src/index.js";

/** A message seen by the emulator, with the time it arrived. */
export interface Arrival {
  message: Message;
  at: number;
}

/** Emulator + bot + user + direct room + real receiver, on a private Redis prefix. */
export interface Stack {
  emulator: RunningEmulator;
  control: EmulatorControl;
  botPerson: ControlPerson;
  user: ControlPerson;
  room: Room;
  prefix: string;
  receiver: RunningReceiver;
  /** The environment a worker of this stack runs with (also for child processes). */
  env: Record<string, string>;
  config: WorkerConfig;
  /** Every message the emulator stored, in arrival order. */
  arrivals: Arrival[];
  /** The user writes `text` in the direct room (delivered to the receiver by webhook). */
  say(text: string): Promise<Message>;
  /** The bot's messages in the room so far. */
  replies(): Arrival[];
  /** Waits until the bot has sent `count` messages (and returns them). */
  waitForReplies(count: number, timeoutMs?: number): Promise<Arrival[]>;
  /** Starts an in-process worker running the test bot. */
  startWorker(options?: StartWorkerOptions, env?: Record<string, string>): Promise<RunningWorker>;
  close(): Promise<void>;
}

export const FAST_TUNING = { lockDurationMs: 2_000, stalledIntervalMs: 500, maxStalledCount: 2 };

export async function startStack(label: string): Promise<Stack> {
  const emulator = await startEmulator();
  const control = new EmulatorControl(emulator.url);
  const botPerson = await control.createPerson({
    displayName: "Test Bot",
    email: `bot-${label}@webex.bot`,
    type: "bot",
  });
  const user = await control.createPerson({
    displayName: "Ada",
    email: `ada-${label}@example.com`,
  });
  const room = await control.createRoom({
    title: "direct",
    type: "direct",
    members: [user.id, botPerson.id],
  });
  const prefix = uniquePrefix(label);
  const port = await freePort();
  const common = {
    WEBEX_ACCESS_TOKEN: botPerson.token,
    WEBEX_API_URL: emulator.apiUrl,
    REDIS_URL: TEST_REDIS_URL,
    REDIS_PREFIX: prefix,
    LOG_LEVEL: "silent",
    // `WEBEX_CLIENT=http npx vitest run services/worker` runs the workers on the HTTP client.
    WEBEX_CLIENT: process.env["WEBEX_CLIENT"] ?? "sdk",
  };
  const receiverConfig = loadReceiverConfig({
    ...common,
    RECEIVER_HOST: "127.0.0.1",
    RECEIVER_PORT: String(port),
    WEBHOOK_URL: `http://127.0.0.1:${port}`,
    WEBHOOK_SECRET: "worker-test-secret",
  });
  const receiver = await startReceiver(receiverConfig, {
    webex: createWebexClient({ accessToken: botPerson.token, apiUrl: emulator.apiUrl }),
    logger: silentLogger,
    defaultMetrics: false,
  });
  await waitFor(() => receiver.registrar.registered(), { timeoutMs: 10_000, what: "webhook" });
  const env = {
    ...common,
    WORKER_HOST: "127.0.0.1",
    WORKER_PORT: "0",
    COMMAND_TIMEOUT_MS: "3000",
    DRAIN_TIMEOUT_MS: "5000",
  };
  const arrivals: Arrival[] = [];
  emulator.events.on("message", (message: Message) => arrivals.push({ message, at: Date.now() }));
  const workers: RunningWorker[] = [];
  const replies = (): Arrival[] => arrivals.filter((a) => a.message.personId === botPerson.id);
  return {
    emulator,
    control,
    botPerson,
    user,
    room,
    prefix,
    receiver,
    env,
    config: loadWorkerConfig(env),
    arrivals,
    say: (text) => control.sendMessage({ personId: user.id, roomId: room.id, text }),
    replies,
    waitForReplies: (count, timeoutMs = 30_000) =>
      waitFor(() => replies().length >= count && replies(), {
        timeoutMs,
        what: `${count} replies`,
      }),
    async startWorker(options = {}, extraEnv = {}) {
      const worker = await startWorker(loadWorkerConfig({ ...env, ...extraEnv }), {
        bot: testBot,
        logger: silentLogger,
        ...options,
      });
      workers.push(worker);
      return worker;
    },
    async close() {
      await Promise.allSettled(workers.map((worker) => worker.close()));
      await receiver.close();
      await emulator.close();
      await deletePrefix(prefix);
    },
  };
}

/** The markdown of the bot's replies, in arrival order. */
export function texts(arrivals: Arrival[]): string[] {
  return arrivals.map((a) => a.message.markdown ?? a.message.text ?? "");
}
