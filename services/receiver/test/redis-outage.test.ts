import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { Queue } from "bullmq";
import { QUEUE_NAME, jobIdFor, loadReceiverConfig, type EventJob } from "@sparkbot/core";
import { EmulatorControl, startEmulator, type RunningEmulator } from "@sparkbot/emulator";
import { waitFor } from "@sparkbot/testkit";
import { startReceiver, type RunningReceiver } from "../src/start.js";
import { sample } from "./app-fixture.js";
import { PrivateRedis, makeEvent, post } from "./helpers.js";

// A receiver on a private redis-server that the tests kill, pause and restart: deliveries are
// never refused for a Redis problem. They go to the local journal and reach Redis later.

const SECRET = "outage-secret";
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

async function start(
  env: Record<string, string> = {},
): Promise<{ receiver: RunningReceiver; redis: PrivateRedis; webhookUrl: string }> {
  emulator = await startEmulator();
  const control = new EmulatorControl(emulator.url);
  const bot = await control.createPerson({ displayName: "Bot", email: "b@x.test", type: "bot" });
  redis ??= await PrivateRedis.start();
  journalDir = await mkdtemp(join(tmpdir(), "sparkbot-outage-"));
  const config = loadReceiverConfig({
    WEBEX_ACCESS_TOKEN: bot.token,
    WEBEX_API_URL: emulator.apiUrl,
    REDIS_URL: redis.url,
    RECEIVER_HOST: "127.0.0.1",
    RECEIVER_PORT: "0",
    WEBHOOK_SECRET: SECRET,
    JOURNAL_DIR: journalDir,
    ENQUEUE_TIMEOUT_MS: "300",
    ...env,
  });
  receiver = await startReceiver(config, {
    redisWaitMs: 100,
    defaultMetrics: false,
    redis: { commandTimeoutMs: 300 },
    journalTiming: { retryIntervalMs: 200 },
  });
  return { receiver, redis, webhookUrl: `${receiver.url}/sparkbot` };
}

async function jobIn(redisServer: PrivateRedis, id: string): Promise<EventJob | undefined> {
  const queue = new Queue<EventJob>(QUEUE_NAME, {
    connection: { url: redisServer.url, maxRetriesPerRequest: 1 },
    prefix: "{sparkbot}",
  });
  queue.on("error", () => undefined);
  try {
    return (await queue.getJob(id))?.data;
  } finally {
    await queue.close();
  }
}

const metricsOf = async (r: RunningReceiver) => (await fetch(`${r.url}/metrics`)).text();

describe("a receiver whose Redis goes away", () => {
  it("journals deliveries while Redis is down (202), then replays them into Redis", async () => {
    const { receiver: r, redis: server, webhookUrl } = await start();
    const before = makeEvent();
    expect((await post(webhookUrl, before, { secret: SECRET })).status).toBe(202);

    await server.stop();
    const during = [makeEvent(), makeEvent(), makeEvent()];
    for (const event of during) {
      const answer = await post(webhookUrl, event, { secret: SECRET });
      expect(answer.status).toBe(202);
      expect(await answer.json()).toMatchObject({ outcome: "journaled", jobId: jobIdFor(event) });
    }
    expect(r.ingest.mode()).toBe("journaling");
    expect((await fetch(`${r.url}/readyz`)).status).toBe(503);
    const down = await metricsOf(r);
    expect(sample(down, "sparkbot_receiver_requests_total", '{outcome="journaled"}')).toBe(3);
    expect(sample(down, "sparkbot_receiver_journaled_total")).toBe(3);
    expect(sample(down, "sparkbot_receiver_journal_events")).toBe(3);
    expect(sample(down, "sparkbot_receiver_journal_bytes")).toBeGreaterThan(0);
    expect(sample(down, "sparkbot_receiver_journal_oldest_age_seconds")).toBeGreaterThanOrEqual(0);

    await server.start(); // an empty Redis: what it held before is gone, as after a crash
    await waitFor(() => r.ingest.mode() === "direct", { timeoutMs: 15_000, what: "replay" });
    for (const event of during) {
      expect((await jobIn(server, jobIdFor(event)))?.event.data.id).toBe(event.data.id);
    }
    const up = await metricsOf(r);
    expect(sample(up, "sparkbot_receiver_journal_replayed_total", '{result="enqueued"}')).toBe(3);
    expect(sample(up, "sparkbot_receiver_journal_events")).toBe(0);
    await waitFor(async () => (await fetch(`${r.url}/readyz`)).status === 200, {
      what: "ready again",
    });
    // A repeat of a replayed delivery is a duplicate, not a second job.
    const repeat = await post(webhookUrl, during[0], { secret: SECRET });
    expect(await repeat.json()).toMatchObject({ outcome: "duplicate" });
  });

  it("journals a delivery Redis does not take within ENQUEUE_TIMEOUT_MS, and stores it once", async () => {
    const { receiver: r, redis: server, webhookUrl } = await start();
    const admin = server.client();
    try {
      await admin.connect();
      await admin.call("CLIENT", "PAUSE", "1500", "WRITE");
      const event = makeEvent();
      const answer = await post(webhookUrl, event, { secret: SECRET });
      expect(answer.status).toBe(202);
      expect(await answer.json()).toMatchObject({ outcome: "journaled" });
      await waitFor(() => r.ingest.mode() === "direct", { timeoutMs: 15_000, what: "replay" });
      expect((await jobIn(server, jobIdFor(event)))?.event.data.id).toBe(event.data.id);
      // The slow enqueue and the replay both reached Redis: still one job, counted once.
      expect(await admin.llen(`{sparkbot}:${QUEUE_NAME}:wait`)).toBe(1);
    } finally {
      await admin.call("CLIENT", "UNPAUSE").catch(() => undefined);
      admin.disconnect();
    }
  });

  it("says 503 with the reason only when the journal is full too", async () => {
    const { redis: server, webhookUrl } = await start({ JOURNAL_MAX_BYTES: "65536" });
    await server.stop();
    let answer: Response | undefined;
    for (let i = 0; i < 200; i += 1) {
      answer = await post(webhookUrl, makeEvent(), { secret: SECRET });
      if (answer.status !== 202) break;
    }
    expect(answer?.status).toBe(503);
    expect(answer?.headers.get("retry-after")).toBe("1");
    const body = (await answer?.json()) as { outcome: string; error: string };
    expect(body.outcome).toBe("unavailable");
    expect(body.error).toMatch(/Redis is not connected.*ECONNREFUSED.*the journal is full/);
  });

  it("started while Redis is down: listens, journals, and replays once Redis is up", async () => {
    redis = await PrivateRedis.start();
    await redis.stop();
    const { receiver: r, redis: server, webhookUrl } = await start();
    const event = makeEvent();
    expect((await post(webhookUrl, event, { secret: SECRET })).status).toBe(202);
    const ready = await fetch(`${r.url}/readyz`);
    expect(ready.status).toBe(503);
    expect(((await ready.json()) as { checks: { redis: boolean } }).checks.redis).toBe(false);
    await server.start();
    await waitFor(async () => (await jobIn(server, jobIdFor(event))) !== undefined, {
      timeoutMs: 15_000,
      what: "the journaled event in Redis",
    });
    await waitFor(async () => (await fetch(`${r.url}/readyz`)).status === 200, {
      timeoutMs: 15_000,
      what: "ready once Redis is up",
    });
  });

  it("reports not ready while Redis refuses writes (maxmemory), and journals meanwhile", async () => {
    const { receiver: r, redis: server, webhookUrl } = await start();
    const admin = server.client();
    try {
      await admin.connect();
      await admin.config("SET", "maxmemory", "1");
      await waitFor(async () => (await fetch(`${r.url}/readyz`)).status === 503, {
        what: "not ready on a full Redis",
      });
      const event = makeEvent();
      const answer = await post(webhookUrl, event, { secret: SECRET });
      expect(await answer.json()).toMatchObject({ outcome: "journaled" });
      await admin.config("SET", "maxmemory", "0");
      await waitFor(async () => (await jobIn(server, jobIdFor(event))) !== undefined, {
        timeoutMs: 15_000,
        what: "the journaled event in Redis",
      });
      await waitFor(async () => (await fetch(`${r.url}/readyz`)).status === 200, {
        what: "ready again",
      });
    } finally {
      await admin.config("SET", "maxmemory", "0").catch(() => undefined);
      admin.disconnect();
    }
  });
});
