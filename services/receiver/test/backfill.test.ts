import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { Queue } from "bullmq";
import { Redis } from "ioredis";
import {
  QUEUE_NAME,
  createHttpWebexClient,
  jobIdFor,
  loadReceiverConfig,
  type EventJob,
  type Message,
} from "@sparkbot/core";
import {
  EmulatorControl,
  startEmulator,
  type ControlPerson,
  type RunningEmulator,
} from "@sparkbot/emulator";
import { TEST_REDIS_URL, deletePrefix, freePort, uniquePrefix, waitFor } from "@sparkbot/testkit";
import { runBackfillPass } from "../src/backfill/backfill-pass.js";
import { watermarkKey } from "../src/backfill/backfiller.js";
import { createEventQueue, seenMarkerKey } from "../src/event-queue.js";
import { createProducerRedis, waitForRedis } from "../src/redis.js";
import { startReceiver, type RunningReceiver } from "../src/start.js";
import { sample } from "./app-fixture.js";

// Webex never redelivers a webhook: what it could not deliver (receiver down, webhook set
// inactive) is found by listing rooms and messages, and enqueued once.

let clock: { offsetMs: number };
let emulator: RunningEmulator;
let control: EmulatorControl;
let bot: ControlPerson;
let alice: ControlPerson;
let bob: ControlPerson;
let prefix: string;
let journalDir: string;
let inspect: Queue<EventJob>;
const receivers: RunningReceiver[] = [];

beforeEach(async () => {
  clock = { offsetMs: 0 };
  emulator = await startEmulator({ now: () => Date.now() + clock.offsetMs });
  control = new EmulatorControl(emulator.url);
  bot = await control.createPerson({ displayName: "Bot", email: "bot@webex.bot", type: "bot" });
  alice = await control.createPerson({ displayName: "Alice", email: "alice@example.com" });
  bob = await control.createPerson({ displayName: "Bob", email: "bob@example.com" });
  prefix = uniquePrefix("backfill");
  journalDir = await mkdtemp(join(tmpdir(), "sparkbot-backfill-"));
  inspect = new Queue<EventJob>(QUEUE_NAME, { connection: { url: TEST_REDIS_URL }, prefix });
  await inspect.waitUntilReady();
});

afterEach(async () => {
  await Promise.all(receivers.splice(0).map((r) => r.close()));
  await inspect.close();
  await emulator.close();
  await deletePrefix(prefix);
  await rm(journalDir, { recursive: true, force: true });
});

async function receiver(env: Record<string, string> = {}): Promise<RunningReceiver> {
  const port = await freePort();
  const config = loadReceiverConfig({
    WEBEX_ACCESS_TOKEN: bot.token,
    WEBEX_API_URL: emulator.apiUrl,
    WEBEX_CLIENT: "http",
    REDIS_URL: TEST_REDIS_URL,
    REDIS_PREFIX: prefix,
    RECEIVER_HOST: "127.0.0.1",
    RECEIVER_PORT: String(port),
    WEBHOOK_URL: `http://127.0.0.1:${port}`,
    JOURNAL_DIR: journalDir,
    ...env,
  });
  const started = await startReceiver(config, { defaultMetrics: false });
  receivers.push(started);
  await waitFor(async () => (await fetch(`${started.url}/readyz`)).status === 200, {
    what: "receiver ready",
  });
  return started;
}

async function stop(r: RunningReceiver): Promise<void> {
  receivers.splice(receivers.indexOf(r), 1);
  await r.close();
}

const jobOf = (message: Message) =>
  inspect.getJob(jobIdFor({ resource: "messages", event: "created", data: { id: message.id } }));

async function jobCount(): Promise<number> {
  return inspect.getJobCountByTypes("waiting", "active", "completed", "failed", "delayed");
}

async function rooms() {
  const direct = await control.createRoom({
    title: "d",
    type: "direct",
    members: [alice.id, bot.id],
  });
  const group = await control.createRoom({
    title: "g",
    type: "group",
    members: [alice.id, bob.id, bot.id],
  });
  return { direct, group };
}

describe("backfill", () => {
  it("recovers, at the next start, every message sent while the receiver was down: once", async () => {
    const { direct, group } = await rooms();
    const first = await receiver();
    const delivered = await control.sendMessage({
      personId: alice.id,
      roomId: direct.id,
      text: "before",
    });
    await waitFor(async () => (await jobOf(delivered)) !== undefined, {
      what: "the webhook's job",
    });
    await stop(first); // Webex cannot deliver now: connection refused

    const missed = [
      await control.sendMessage({ personId: alice.id, roomId: direct.id, text: "ping" }),
      await control.sendMessage({
        personId: bob.id,
        roomId: group.id,
        text: "Bot ping",
        mentions: [bot.id],
      }),
    ];
    await control.sendMessage({
      personId: bob.id,
      roomId: group.id,
      text: "chat, not for the bot",
    });
    const webex = createHttpWebexClient({ accessToken: bot.token, apiUrl: emulator.apiUrl });
    await webex.messages.create({ roomId: direct.id, markdown: "the bot's own" });
    await control.settledDeliveries();

    const second = await receiver();
    for (const message of missed) {
      await waitFor(async () => (await jobOf(message)) !== undefined, {
        what: `backfilled job of "${message.text}"`,
      });
    }
    expect((await jobOf(missed[0]!))?.data.event).toMatchObject({
      resource: "messages",
      event: "created",
      data: { id: missed[0]!.id, roomId: direct.id, roomType: "direct", personId: alice.id },
    });
    await waitFor(async () => (await second.backfiller.runNow("test")) === "complete");
    expect(await jobCount()).toBe(3); // before + the two missed; nothing twice, nothing else
    const metrics = await (await fetch(`${second.url}/metrics`)).text();
    expect(sample(metrics, "sparkbot_backfill_messages_total", '{result="recovered"}')).toBe(2);
  });

  it("reactivates an inactive webhook at the next check and recovers what it missed", async () => {
    const { direct } = await rooms();
    const r = await receiver({ WEBHOOK_CHECK_INTERVAL_S: "5", BACKFILL_INTERVAL_S: "0" });
    const webex = createHttpWebexClient({ accessToken: bot.token, apiUrl: emulator.apiUrl });
    const hook = (await webex.webhooks.list()).find((h) => h.resource === "messages");
    await webex.webhooks.update(hook!.id, {
      name: hook!.name,
      targetUrl: hook!.targetUrl,
      status: "inactive", // as Webex does after 100 failed deliveries in 5 minutes
    });
    const missed = await control.sendMessage({ personId: alice.id, roomId: direct.id, text: "hi" });
    expect(await control.settledDeliveries()).toHaveLength(0);
    await r.registrar.runOnce(); // the periodic check, now
    expect((await webex.webhooks.get(hook!.id)).status).toBe("active");
    await waitFor(async () => (await jobOf(missed)) !== undefined, {
      what: "the missed message's job",
    });
  });

  it("does not run missed commands older than BACKFILL_MAX_AGE_S, and counts them", async () => {
    const { direct } = await rooms();
    const redis = createProducerRedis(TEST_REDIS_URL);
    await waitForRedis(redis, 10_000);
    try {
      const queue = createEventQueue({ redis, prefix });
      clock.offsetMs = -20 * 60_000; // written 20 minutes ago
      const old = await control.sendMessage({ personId: alice.id, roomId: direct.id, text: "old" });
      clock.offsetMs = 0;
      const recent = await control.sendMessage({
        personId: alice.id,
        roomId: direct.id,
        text: "new",
      });
      const deps = {
        webex: createHttpWebexClient({ accessToken: bot.token, apiUrl: emulator.apiUrl }),
        redis,
        prefix,
        enqueuer: queue,
        botId: bot.id,
      };
      const limits = {
        since: Date.now() - 30 * 60_000,
        maxAgeMs: 10 * 60_000,
        maxRooms: 10,
        maxPagesPerRoom: 10,
        pageSize: 100,
      };
      const report = await runBackfillPass(deps, limits);
      expect(report).toMatchObject({ recovered: 1, tooOld: 1, tooOldIds: [old.id], seen: 0 });
      expect(await jobOf(old)).toBeUndefined();
      expect(await jobOf(recent)).toBeDefined();
      // A second pass counts neither again.
      expect(await runBackfillPass(deps, limits)).toMatchObject({
        recovered: 0,
        tooOld: 0,
        seen: 2,
      });
      await queue.close();
    } finally {
      redis.disconnect();
    }
  });

  it("enqueues a message whose enqueue was cut off (marker left pending, no job)", async () => {
    // A receiver killed by SIGKILL between its marker and its job leaves the marker "pending";
    // Webex does not redeliver, so only the backfill can bring the message back.
    const { direct } = await rooms();
    const redis = createProducerRedis(TEST_REDIS_URL);
    try {
      const queue = createEventQueue({ redis, prefix });
      const cut = await control.sendMessage({ personId: alice.id, roomId: direct.id, text: "x" });
      const jobId = jobIdFor({ resource: "messages", event: "created", data: { id: cut.id } });
      const admin = new Redis(TEST_REDIS_URL);
      await admin.set(seenMarkerKey(prefix, jobId), "pending", "PX", 60_000);
      admin.disconnect();
      const deps = {
        webex: createHttpWebexClient({ accessToken: bot.token, apiUrl: emulator.apiUrl }),
        redis,
        prefix,
        enqueuer: queue,
        botId: bot.id,
      };
      const limits = {
        since: 0,
        maxAgeMs: 600_000,
        maxRooms: 10,
        maxPagesPerRoom: 10,
        pageSize: 100,
      };
      await runBackfillPass(deps, limits);
      expect(await jobOf(cut)).toBeDefined();
      expect(await redis.get(seenMarkerKey(prefix, jobId))).toBe("queued");
      // Once queued it is known: the next pass leaves it alone, and it is one job.
      expect(await runBackfillPass(deps, limits)).toMatchObject({ recovered: 0, seen: 1 });
      expect(await jobCount()).toBe(1);
      await queue.close();
    } finally {
      redis.disconnect();
    }
  });

  it("reads long rooms page by page, and stops at its bounds without moving the watermark", async () => {
    const { direct } = await rooms();
    const redis = createProducerRedis(TEST_REDIS_URL);
    await waitForRedis(redis, 10_000);
    try {
      const queue = createEventQueue({ redis, prefix });
      for (let i = 0; i < 25; i += 1) {
        await control.sendMessage({ personId: alice.id, roomId: direct.id, text: `m${i}` });
      }
      const deps = {
        webex: createHttpWebexClient({ accessToken: bot.token, apiUrl: emulator.apiUrl }),
        redis,
        prefix,
        enqueuer: queue,
        botId: bot.id,
      };
      const limits = {
        since: 0,
        maxAgeMs: 600_000,
        maxRooms: 10,
        maxPagesPerRoom: 2,
        pageSize: 10,
      };
      expect(await runBackfillPass(deps, limits)).toMatchObject({ recovered: 20, truncated: true });
      const all = { ...limits, maxPagesPerRoom: 10 };
      expect(await runBackfillPass(deps, all)).toMatchObject({
        recovered: 5,
        seen: 20,
        truncated: false,
      });
      await queue.close();
    } finally {
      redis.disconnect();
    }
  });

  it("yields to a Webex 429, then resumes after Retry-After", async () => {
    const { direct } = await rooms();
    const r = await receiver({ BACKFILL_INTERVAL_S: "0" });
    await waitFor(async () => (await r.backfiller.runNow("settle")) === "complete");
    const missed = await control.sendMessage({ personId: alice.id, roomId: direct.id, text: "x" });
    // As if the webhook's delivery had failed: no job, no marker (the watermark stays).
    await inspect.obliterate({ force: true });
    await deletePrefix(`${prefix}:receiver:seen:`);
    await control.fault({ method: "GET", path: "/v1/rooms", status: 429, retryAfter: 1, count: 1 });
    expect(await r.backfiller.runNow("test")).toBe("rate_limited");
    await waitFor(async () => (await jobOf(missed)) !== undefined, {
      timeoutMs: 10_000,
      what: "the pass after Retry-After",
    });
    const metrics = await (await fetch(`${r.url}/metrics`)).text();
    expect(sample(metrics, "sparkbot_backfill_passes_total", '{result="rate_limited"}')).toBe(1);
  });

  it("never looks back past the queue's first pass: a new Redis does not rerun old commands", async () => {
    const { direct } = await rooms();
    const answered = await control.sendMessage({
      personId: alice.id,
      roomId: direct.id,
      text: "hi",
    });
    // A receiver on a queue that never saw this message (a new REDIS_PREFIX, a wiped Redis).
    const r = await receiver({ BACKFILL_INTERVAL_S: "0" });
    expect(await r.backfiller.runNow("test")).toBe("complete");
    expect(await jobOf(answered)).toBeUndefined();
    const later = await control.sendMessage({ personId: alice.id, roomId: direct.id, text: "x" });
    await waitFor(async () => (await jobOf(later)) !== undefined, { what: "the new message" });
  });

  it("runs one pass at a time in the fleet, and remembers how far it looked", async () => {
    await rooms();
    const [a, b] = [
      await receiver({ BACKFILL_INTERVAL_S: "0" }),
      await receiver({ BACKFILL_INTERVAL_S: "0" }),
    ];
    const results = await Promise.all([a.backfiller.runNow("a"), b.backfiller.runNow("b")]);
    expect(results).toContain("complete");
    const admin = new Redis(TEST_REDIS_URL);
    try {
      const watermark = Number(await admin.get(watermarkKey(prefix)));
      expect(Date.now() - watermark).toBeLessThan(60_000);
    } finally {
      admin.disconnect();
    }
  });
});
