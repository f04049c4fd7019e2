import { Writable } from "node:stream";
import { afterEach, describe, expect, it } from "vitest";
import { createLogger, createWebexClient, loadWorkerConfig } from "@sparkbot/core";
import { EmulatorControl, startEmulator, type RunningEmulator } from "@sparkbot/emulator";
import { PrivateRedis, waitFor } from "@sparkbot/testkit";
import { startWorker, type RunningWorker } from "../src/index.js";
import { bot as testBot } from "./fixtures/test-bot.js";

// A Redis that refuses writes (out of memory) makes BullMQ's fetch loop fail at once, again and
// again. The worker pauses instead, says it is unhealthy, logs a bounded number of lines, and
// resumes by itself once Redis takes writes.

let emulator: RunningEmulator | undefined;
let worker: RunningWorker | undefined;
let redis: PrivateRedis | undefined;

afterEach(async () => {
  await worker?.close();
  await redis?.stop();
  await emulator?.close();
  worker = redis = emulator = undefined;
});

describe("a worker whose Redis refuses writes", () => {
  it("pauses, reports unhealthy with the reason, logs a few lines, and resumes", async () => {
    emulator = await startEmulator();
    const control = new EmulatorControl(emulator.url);
    const bot = await control.createPerson({ displayName: "B", email: "b@webex.bot", type: "bot" });
    redis = await PrivateRedis.start();
    const lines: { msg: string; times?: number }[] = [];
    const destination = new Writable({
      write(chunk: Buffer, _encoding, done) {
        for (const line of chunk.toString().split("\n").filter(Boolean)) {
          lines.push(JSON.parse(line) as { msg: string });
        }
        done();
      },
    });
    const config = loadWorkerConfig({
      WEBEX_ACCESS_TOKEN: bot.token,
      WEBEX_API_URL: emulator.apiUrl,
      REDIS_URL: redis.url,
      WORKER_HOST: "127.0.0.1",
      WORKER_PORT: "0",
      DRAIN_TIMEOUT_MS: "1000",
    });
    worker = await startWorker(config, {
      bot: testBot,
      webex: createWebexClient({ accessToken: bot.token, apiUrl: emulator.apiUrl }),
      logger: createLogger({ name: "worker", level: "info", destination }),
    });
    const running = worker;
    expect((await fetch(running.healthUrl)).status).toBe(200);

    const admin = redis.client();
    await admin.connect();
    try {
      await admin.config("SET", "maxmemory", "1");
      const health = await waitFor(
        async () => {
          const answer = await fetch(running.healthUrl);
          return answer.status === 503 ? ((await answer.json()) as { pausedFor?: string }) : false;
        },
        { timeoutMs: 20_000, what: "an unhealthy worker" },
      );
      expect(health.pausedFor).toMatch(/^OOM command not allowed/);
      const logged = lines.length;
      await new Promise((resolve) => setTimeout(resolve, 2000)); // BullMQ alone logs thousands
      expect(lines.length - logged).toBeLessThan(5);

      await admin.config("SET", "maxmemory", "0");
      await waitFor(async () => (await fetch(running.healthUrl)).status === 200, {
        timeoutMs: 20_000,
        what: "the worker to resume",
      });
      expect(lines.map((line) => line.msg)).toContain(
        "Redis takes writes again; the worker resumes",
      );
    } finally {
      await admin.config("SET", "maxmemory", "0").catch(() => undefined);
      admin.disconnect();
    }
  });
});
