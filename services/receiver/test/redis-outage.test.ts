import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { QUEUE_NAME, jobIdFor, loadReceiverConfig } from "@sparkbot/core";
import { EmulatorControl, startEmulator, type RunningEmulator } from "@sparkbot/emulator";
import { startReceiver, type RunningReceiver } from "../src/start.js";
import { waitFor } from "@sparkbot/testkit";
import { SECRET, sample, startAppFixture, type AppFixture } from "./app-fixture.js";
import { PrivateRedis, makeEvent, post } from "./helpers.js";

// Runs on a private redis-server that the test kills and restarts; the shared one is untouched.
describe("receiver while Redis goes away and comes back", () => {
  let redis: PrivateRedis;
  let fx: AppFixture;

  beforeAll(async () => {
    redis = await PrivateRedis.start();
    fx = await startAppFixture({
      redisUrl: redis.url,
      redisOptions: { commandTimeoutMs: 300 },
      enqueueTimeoutMs: 500,
    });
  });
  afterAll(async () => {
    await fx?.close();
    await redis?.stop();
  });

  it("answers 503 at once while Redis is down, then accepts again by itself", async () => {
    const before = makeEvent();
    expect((await post(fx.webhookUrl, before, { secret: SECRET })).status).toBe(202);

    await redis.stop();
    const during = makeEvent();
    for (let i = 0; i < 3; i += 1) {
      const started = Date.now();
      const response = await post(fx.webhookUrl, during, { secret: SECRET });
      expect(response.status).toBe(503);
      expect(Date.now() - started).toBeLessThan(1000);
    }
    expect((await fetch(`${fx.url}/readyz`)).status).toBe(503);
    const metrics = await (await fetch(`${fx.url}/metrics`)).text();
    expect(sample(metrics, "sparkbot_receiver_requests_total", '{outcome="unavailable"}')).toBe(3);

    await redis.start(); // an empty Redis: the state before the crash is gone, as after a crash
    await waitFor(async () => (await fetch(`${fx.url}/readyz`)).status === 200, {
      timeoutMs: 10_000,
      what: "the receiver to see Redis again",
    });
    // Webex retries the refused delivery: this time it is accepted and stored.
    const retried = await post(fx.webhookUrl, during, { secret: SECRET });
    expect(retried.status).toBe(202);
    expect((await retried.json()) as unknown).toMatchObject({ outcome: "accepted" });
    const job = await fx.inspect.getJob(jobIdFor(during));
    expect(job?.data.event.data.id).toBe(during.data.id);
  });

  it("answers 503 within the command timeout while Redis is stalled", async () => {
    const admin = redis.client();
    try {
      await admin.connect();
      await admin.call("CLIENT", "PAUSE", "2000", "WRITE");
      const started = Date.now();
      const event = makeEvent();
      const response = await post(fx.webhookUrl, event, { secret: SECRET });
      expect(response.status).toBe(503);
      expect(Date.now() - started).toBeLessThan(1500);
      await admin.call("CLIENT", "UNPAUSE");
      // The refused delivery is retried and accepted once Redis answers again.
      const retried = await waitFor(
        async () => {
          const answer = await post(fx.webhookUrl, event, { secret: SECRET });
          return answer.status === 202 ? answer : undefined;
        },
        { timeoutMs: 10_000, intervalMs: 200, what: "a 202 after the stall" },
      );
      expect(retried.status).toBe(202);
      expect(await fx.inspect.getJob(jobIdFor(event))).toBeDefined();
    } finally {
      await admin.call("CLIENT", "UNPAUSE").catch(() => undefined);
      admin.disconnect();
    }
  });
});

describe("receiver started while Redis is down", () => {
  let emulator: RunningEmulator | undefined;
  let receiver: RunningReceiver | undefined;
  let redis: PrivateRedis | undefined;
  afterAll(async () => {
    await receiver?.close();
    await redis?.stop();
    await emulator?.close();
  });

  it("listens, answers 503 and not ready, then accepts once Redis is up", async () => {
    emulator = await startEmulator();
    const control = new EmulatorControl(emulator.url);
    const bot = await control.createPerson({ displayName: "Bot", email: "b@x.test", type: "bot" });
    redis = await PrivateRedis.start();
    await redis.stop();
    const config = loadReceiverConfig({
      WEBEX_ACCESS_TOKEN: bot.token,
      WEBEX_API_URL: emulator.apiUrl,
      REDIS_URL: redis.url,
      RECEIVER_HOST: "127.0.0.1",
      RECEIVER_PORT: "0",
      WEBHOOK_SECRET: SECRET,
    });
    receiver = await startReceiver(config, { redisWaitMs: 100, defaultMetrics: false });
    const webhookUrl = `${receiver.url}/sparkbot`;
    const event = makeEvent();
    expect((await post(webhookUrl, event, { secret: SECRET })).status).toBe(503);
    const ready = await fetch(`${receiver.url}/readyz`);
    expect(ready.status).toBe(503);
    expect(((await ready.json()) as { checks: { redis: boolean } }).checks.redis).toBe(false);

    await redis.start();
    const readyReceiver = receiver;
    await waitFor(async () => (await fetch(`${readyReceiver.url}/readyz`)).status === 200, {
      timeoutMs: 10_000,
      what: "ready once Redis is up",
    });
    const accepted = await post(webhookUrl, event, { secret: SECRET });
    expect(accepted.status).toBe(202);
    const admin = redis.client();
    try {
      expect(await admin.exists(`{sparkbot}:${QUEUE_NAME}:${jobIdFor(event)}`)).toBe(1);
    } finally {
      admin.disconnect();
    }
  });
});
