// How many Redis round trips one command costs, end to end: the receiver's enqueue and the
// worker's run (ledger and BullMQ), each service on its own counting proxy in front of the real
// Redis. The budget (issue 17) is 4 per command under load: 1 for the receiver, 3 for the
// worker (claim and record of its one reply; BullMQ's moveToFinished, which also fetches the
// next job). Ordering per room (ROOM_ORDERING, on by default) adds 1 at the worker: the turn
// taken before the handler (leaving the order rides on the first reply's claim).
import { Queue } from "bullmq";
import {
  QUEUE_NAME,
  createHttpWebexClient,
  loadReceiverConfig,
  loadWorkerConfig,
  silentLogger,
  type EventJob,
  type Message,
} from "@sparkbot/core";
import { EmulatorControl, startEmulator, type RunningEmulator } from "@sparkbot/emulator";
import { startReceiver, type RunningReceiver } from "@sparkbot/receiver";
import { TEST_REDIS_URL, deletePrefix, freePort, uniquePrefix, waitFor } from "@sparkbot/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startWorker, type RunningWorker } from "../src/index.js";
import { bot as testBot } from "./fixtures/test-bot.js";
import { startCountingProxy, type CountingProxy } from "./helpers/counting-proxy.js";

const COMMANDS = 60;
/**
 * The receiver's registration watch reads what the workers published every 2 s (one GET): a
 * round trip of its own per 2 s of the window, more of them the slower the machine.
 */
const watchReadsIn = (sinceMs: number): number => Math.ceil((performance.now() - sinceMs) / 2000);

describe.each([
  { ordering: "false", worker: 3 },
  { ordering: "true", worker: 4 },
])("Redis round trips per command, ROOM_ORDERING=$ordering", ({ ordering, worker: perJob }) => {
  let emulator: RunningEmulator;
  let receiverRedis: CountingProxy;
  let workerRedis: CountingProxy;
  let receiver: RunningReceiver;
  let worker: RunningWorker;
  let inspect: Queue<EventJob>;
  const prefix = uniquePrefix(`round-trips-${ordering}`);
  const pongs: Message[] = [];
  let botId = "";

  beforeAll(async () => {
    emulator = await startEmulator();
    const control = new EmulatorControl(emulator.url);
    const bot = await control.createPerson({
      displayName: "Bot",
      email: `rt-${ordering}@x.bot`,
      type: "bot",
    });
    botId = bot.id;
    emulator.events.on("message", (message: Message) => {
      if (message.personId === bot.id) pongs.push(message);
    });
    receiverRedis = await startCountingProxy(TEST_REDIS_URL);
    workerRedis = await startCountingProxy(TEST_REDIS_URL);
    const port = await freePort();
    const common = {
      WEBEX_ACCESS_TOKEN: bot.token,
      WEBEX_API_URL: emulator.apiUrl,
      REDIS_PREFIX: prefix,
      LOG_LEVEL: "silent",
      ROOM_ORDERING: ordering,
    };
    receiver = await startReceiver(
      loadReceiverConfig({
        ...common,
        REDIS_URL: receiverRedis.url,
        RECEIVER_HOST: "127.0.0.1",
        RECEIVER_PORT: String(port),
        WEBHOOK_URL: `http://127.0.0.1:${port}`,
        WEBHOOK_SECRET: "round-trips",
        WEBHOOK_CHECK_INTERVAL_S: "3600",
        BACKFILL_ENABLED: "false",
      }),
      {
        webex: createHttpWebexClient({ accessToken: bot.token, apiUrl: emulator.apiUrl }),
        logger: silentLogger,
        defaultMetrics: false,
      },
    );
    await waitFor(() => receiver.registrar.registered(), { timeoutMs: 10_000, what: "webhook" });
    worker = await startWorker(
      loadWorkerConfig({
        ...common,
        REDIS_URL: workerRedis.url,
        WORKER_HOST: "127.0.0.1",
        WORKER_PORT: "0",
        WORKER_CONCURRENCY: "1",
      }),
      { bot: testBot, logger: silentLogger, tuning: { stalledIntervalMs: 600_000 } },
    );
    inspect = new Queue<EventJob>(QUEUE_NAME, {
      connection: { url: TEST_REDIS_URL },
      prefix,
      skipMetasUpdate: true,
    });
  });

  afterAll(async () => {
    await worker?.close();
    await receiver?.close();
    await inspect?.close();
    await receiverRedis?.close();
    await workerRedis?.close();
    await emulator?.close();
    await deletePrefix(prefix);
  });

  it("stays within budget under load: 1 at the receiver, 3 (+1 ordered) at the worker", async () => {
    const control = new EmulatorControl(emulator.url);
    const users = await Promise.all(
      Array.from({ length: COMMANDS }, (_, i) =>
        control.createPerson({ displayName: `U${i}`, email: `rt-${ordering}-${i}@x.test` }),
      ),
    );
    const rooms = await Promise.all(
      users.map((user) =>
        control.createRoom({
          title: "",
          type: "direct",
          members: [user.id, botId],
        }),
      ),
    );

    // The rooms' membership events run first; then the worker waits (paused) while the
    // receiver enqueues a backlog of pings.
    await control.settledDeliveries();
    await waitFor(
      async () => {
        const counts = await inspect.getJobCounts("wait", "active", "delayed");
        return Object.values(counts).every((count) => count === 0);
      },
      { timeoutMs: 20_000, what: "the membership events worked off" },
    );
    await worker.worker.pause(true);
    receiverRedis.reset();
    const receiverWindow = performance.now();
    for (const [i, user] of users.entries()) {
      await control.sendMessage({ personId: user.id, roomId: rooms[i]!.id, text: "ping" });
    }
    await control.settledDeliveries();
    // (A fetch the worker had begun before the pause may take one of them at once.)
    await waitFor(async () => (await inspect.getWaitingCount()) + pongs.length === COMMANDS, {
      timeoutMs: 10_000,
      what: `${COMMANDS} jobs stored`,
    });
    const atReceiver = receiverRedis.roundTrips() / COMMANDS;
    const receiverWatchReads = watchReadsIn(receiverWindow);

    const backlog = COMMANDS - pongs.length;
    workerRedis.reset();
    worker.worker.resume();
    await waitFor(() => pongs.length >= COMMANDS, { timeoutMs: 30_000, what: "every pong" });
    await waitFor(async () => (await inspect.getJobCounts("wait", "active"))["wait"] === 0, {
      timeoutMs: 10_000,
      what: "every job completed",
    });
    const atWorker = workerRedis.roundTrips() / backlog;

    console.info(
      `ROOM_ORDERING=${ordering}: Redis round trips per command: receiver ${atReceiver.toFixed(2)}, worker ${atWorker.toFixed(2)}`,
    );
    // 1 per command, and a few shared by all: the resume's own wake-up and first fetch, a
    // periodic check of either service that fell in the window.
    expect(receiverRedis.roundTrips()).toBeLessThanOrEqual(COMMANDS + 2 + receiverWatchReads);
    expect(workerRedis.roundTrips()).toBeLessThanOrEqual(perJob * backlog + 6);
  });

  it("costs more for a command that finds the worker idle (BullMQ's blocking wait, then its fetch)", async () => {
    const control = new EmulatorControl(emulator.url);
    const user = await control.createPerson({
      displayName: "Idle",
      email: `rt-idle-${ordering}@x.test`,
    });
    const room = await control.createRoom({ title: "", type: "direct", members: [user.id, botId] });
    await control.settledDeliveries();
    await waitFor(async () => (await inspect.getJobCounts("wait", "active"))["wait"] === 0, {
      timeoutMs: 10_000,
      what: "an idle queue",
    });
    const runs = 10;
    const before = pongs.length;
    receiverRedis.reset();
    workerRedis.reset();
    for (let i = 1; i <= runs; i += 1) {
      await control.sendMessage({ personId: user.id, roomId: room.id, text: "ping" });
      await waitFor(() => pongs.length >= before + i, { timeoutMs: 10_000, what: `pong ${i}` });
    }
    const atReceiver = receiverRedis.roundTrips() / runs;
    const atWorker = workerRedis.roundTrips() / runs;
    console.info(
      `ROOM_ORDERING=${ordering}: Redis round trips per command, worker idle: receiver ${atReceiver.toFixed(2)}, worker ${atWorker.toFixed(2)}`,
    );
    // The receiver's 1 per command is bounded by the test above (60 commands); over 10 slow
    // commands its background reads weigh too much for a bound (14 for 10 in a loaded run).
    expect(receiverRedis.roundTrips()).toBeGreaterThanOrEqual(runs);
    // BullMQ's blocking wait returning, then its fetch: 2 more when measured alone, up to 4 more
    // on a busy machine (the wait times out and is sent again). Reported, loosely bounded.
    expect(atWorker).toBeLessThanOrEqual(perJob + 5);
  });
});
