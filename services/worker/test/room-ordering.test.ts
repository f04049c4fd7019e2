// Ordering per room (ROOM_ORDERING, on by default): with three workers, the commands of one room
// start in the order they arrived, even when the Webex fetch of an earlier one is slower than a
// later one's; and commands of different rooms do not wait for each other.
import {
  SparkBot,
  createHttpWebexClient,
  loadReceiverConfig,
  loadWorkerConfig,
  silentLogger,
} from "@sparkbot/core";
import {
  EmulatorControl,
  startEmulator,
  type ControlPerson,
  type RunningEmulator,
} from "@sparkbot/emulator";
import { startReceiver, type RunningReceiver } from "@sparkbot/receiver";
import { TEST_REDIS_URL, deletePrefix, freePort, uniquePrefix, waitFor } from "@sparkbot/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startWorker, type RunningWorker } from "../src/index.js";

/** What the handlers saw: the order `seq` commands started in, and how many `hold`s ran at once. */
const started: number[] = [];
let holding = 0;
let mostHeld = 0;
let release = false;

const bot = new SparkBot();
bot.command("seq", ({ commandline }) => {
  started.push(Number(commandline[1]));
  return `seq ${commandline[1]}`;
});
bot.command("hold", async () => {
  holding += 1;
  mostHeld = Math.max(mostHeld, holding);
  await waitFor(() => release, { timeoutMs: 20_000, what: "the release" });
  holding -= 1;
  return "released";
});

describe("ordering per room, three workers", () => {
  let emulator: RunningEmulator;
  let control: EmulatorControl;
  let receiver: RunningReceiver;
  const workers: RunningWorker[] = [];
  const prefix = uniquePrefix("room-order");
  let botPerson: ControlPerson;

  beforeAll(async () => {
    emulator = await startEmulator();
    control = new EmulatorControl(emulator.url);
    botPerson = await control.createPerson({
      displayName: "Order Bot",
      email: "order@x.bot",
      type: "bot",
    });
    const port = await freePort();
    const common = {
      WEBEX_ACCESS_TOKEN: botPerson.token,
      WEBEX_API_URL: emulator.apiUrl,
      REDIS_URL: TEST_REDIS_URL,
      REDIS_PREFIX: prefix,
      LOG_LEVEL: "silent",
    };
    receiver = await startReceiver(
      loadReceiverConfig({
        ...common,
        RECEIVER_HOST: "127.0.0.1",
        RECEIVER_PORT: String(port),
        WEBHOOK_URL: `http://127.0.0.1:${port}`,
        WEBHOOK_SECRET: "room-order",
        BACKFILL_ENABLED: "false",
      }),
      {
        webex: createHttpWebexClient({ accessToken: botPerson.token, apiUrl: emulator.apiUrl }),
        logger: silentLogger,
        defaultMetrics: false,
      },
    );
    await waitFor(() => receiver.registrar.registered(), { timeoutMs: 10_000, what: "webhook" });
    const config = loadWorkerConfig({ ...common, WORKER_HOST: "127.0.0.1", WORKER_PORT: "0" });
    expect(config.roomOrdering).toBe(true);
    for (let i = 0; i < 3; i += 1) {
      workers.push(await startWorker(config, { bot, logger: silentLogger }));
    }
  });

  afterAll(async () => {
    release = true;
    await Promise.allSettled(workers.map((worker) => worker.close()));
    await receiver?.close();
    await emulator?.close();
    await deletePrefix(prefix);
  });

  it("starts 50 commands of one room in the order they arrived", async () => {
    const user = await control.createPerson({ displayName: "Ada", email: "ada@order.test" });
    const room = await control.createRoom({
      title: "",
      type: "direct",
      members: [user.id, botPerson.id],
    });
    for (let i = 1; i <= 50; i += 1) {
      // Every other command's message fetch is slow, so that without ordering the next
      // command (taken by another worker) would start first.
      if (i % 2 === 1) {
        await control.fault({ method: "GET", path: "/v1/messages/", delayMs: 40, count: 1 });
      }
      await control.sendMessage({ personId: user.id, roomId: room.id, text: `seq ${i}` });
      await control.settledDeliveries(); // stored: this is its arrival
    }
    await waitFor(() => started.length >= 50, { timeoutMs: 30_000, what: "50 starts" });
    expect(started).toEqual(Array.from({ length: 50 }, (_, i) => i + 1));
    const turns = await Promise.all(
      workers.map(async (worker) => (await worker.metrics.roomTurns.get()).values),
    );
    const gaveUp = turns.flat().filter((value) => value.labels["result"] === "gave_up");
    expect(gaveUp.reduce((sum, value) => sum + value.value, 0)).toBe(0);
  });

  it("runs commands of different rooms at the same time", async () => {
    const rooms = await Promise.all(
      Array.from({ length: 10 }, async (_, i) => {
        const user = await control.createPerson({
          displayName: `U${i}`,
          email: `u${i}@order.test`,
        });
        const room = await control.createRoom({
          title: "",
          type: "direct",
          members: [user.id, botPerson.id],
        });
        return { user, room };
      }),
    );
    await Promise.all(
      rooms.map(({ user, room }) =>
        control.sendMessage({ personId: user.id, roomId: room.id, text: "hold" }),
      ),
    );
    // Every room's command runs while the others are still running.
    await waitFor(() => mostHeld >= 10, { timeoutMs: 20_000, what: "10 rooms running at once" });
    release = true;
    await waitFor(() => holding === 0, { timeoutMs: 10_000, what: "the holds to end" });
  });
});
