import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { Queue } from "bullmq";
import { QUEUE_NAME, jobIdFor, loadReceiverConfig, type EventJob } from "@sparkbot/core";
import { EmulatorControl, startEmulator, type RunningEmulator } from "@sparkbot/emulator";
import { PrivateRedis, waitFor } from "@sparkbot/testkit";
import { startReceiver, type RunningReceiver } from "../src/start.js";
import { FAST_WEBSOCKET } from "./websocket-helpers.js";

// The websocket listener on a private redis-server the test stops: the socket stays up, the
// events it brings meanwhile go to the local journal, and reach Redis once it is back.

let emulator: RunningEmulator | undefined;
let receiver: RunningReceiver | undefined;
let redis: PrivateRedis | undefined;
let journalDir: string | undefined;

afterEach(async () => {
  await receiver?.close();
  await redis?.stop();
  await emulator?.close();
  if (journalDir !== undefined) await rm(journalDir, { recursive: true, force: true });
  receiver = redis = emulator = journalDir = undefined;
});

describe("a websocket listener whose Redis goes away", () => {
  it("keeps its socket and journals what arrives, then replays it into Redis", async () => {
    emulator = await startEmulator();
    const control = new EmulatorControl(emulator.url);
    const bot = await control.createPerson({ displayName: "Bot", email: "b@x.test", type: "bot" });
    const user = await control.createPerson({ displayName: "U", email: "u@x.test" });
    const room = await control.createRoom({
      title: "dm",
      type: "direct",
      members: [user.id, bot.id],
    });
    redis = await PrivateRedis.start();
    journalDir = await mkdtemp(join(tmpdir(), "sparkbot-ws-outage-"));
    const config = loadReceiverConfig({
      WEBEX_ACCESS_TOKEN: bot.token,
      WEBEX_API_URL: emulator.apiUrl,
      WEBEX_CLIENT: "http",
      REDIS_URL: redis.url,
      RECEIVER_HOST: "127.0.0.1",
      RECEIVER_PORT: "0",
      INGRESS: "websocket",
      WEBSOCKET_LEASE_MS: "2000",
      JOURNAL_DIR: journalDir,
      ENQUEUE_TIMEOUT_MS: "300",
      BACKFILL_ENABLED: "false",
    });
    receiver = await startReceiver(config, {
      redisWaitMs: 100,
      defaultMetrics: false,
      redis: { commandTimeoutMs: 300 },
      journalTiming: { retryIntervalMs: 200 },
      websocket: FAST_WEBSOCKET,
    });
    const r = receiver;
    await waitFor(() => r.listener?.status().connected === true, {
      what: "socket up",
      timeoutMs: 20_000,
    });
    await redis.stop();
    const message = await control.sendMessage({ personId: user.id, roomId: room.id, text: "hi" });
    await waitFor(() => r.journal.stats().events >= 1, {
      what: "the event journaled",
      timeoutMs: 20_000,
    });
    // Longer than the lease without Redis (renewals failing): the socket is still the one that
    // was up. (A wait, not a timing assertion: what is checked is that nothing happened.)
    await new Promise((resolve) => setTimeout(resolve, 5_000));
    await waitFor(() => r.metrics.render().then((m) => /journaled"\} 1/.test(m)), {
      what: "the journaled outcome counted",
      timeoutMs: 20_000,
    });
    expect(r.listener?.status().connected).toBe(true);
    expect(r.listener?.status().reconnects).toEqual([]);
    await redis.start();
    const queue = new Queue<EventJob>(QUEUE_NAME, {
      connection: { url: redis.url },
      prefix: "{sparkbot}",
    });
    const id = jobIdFor({ resource: "messages", event: "created", data: { id: message.id } });
    await waitFor(async () => (await queue.getJob(id)) !== undefined, {
      what: "the journaled event's job in Redis",
      timeoutMs: 20_000,
    });
    await queue.close();
  });
});
