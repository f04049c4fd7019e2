import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  ConfigError,
  JobPayloadError,
  SparkBot,
  WebexApiError,
  WebexNetworkError,
  WebexTimeoutError,
} from "@sparkbot/core";
import { createTestChat, webhookEventFor } from "@sparkbot/core/testing";
import { describe, expect, it } from "vitest";
import { classifyFailure, loadBot, loadWorkerTuning, LockLostError } from "../src/index.js";
import { MAX_RATE_LIMIT_MS } from "../src/retry-policy.js";
import { TEST_BOT_PATH } from "./helpers/child-worker.js";

describe("retry policy", () => {
  it.each([
    [new WebexApiError(500, "boom"), { kind: "retry", reason: "webex_5xx" }],
    [new WebexApiError(503, "busy"), { kind: "retry", reason: "webex_5xx" }],
    [new WebexNetworkError("reset"), { kind: "retry", reason: "webex_network" }],
    [new WebexTimeoutError("slow"), { kind: "retry", reason: "webex_timeout" }],
    [new WebexApiError(404, "gone"), { kind: "give_up", reason: "webex_404" }],
    [new WebexApiError(403, "no"), { kind: "give_up", reason: "webex_403" }],
    [new JobPayloadError("bad"), { kind: "give_up", reason: "bad_payload" }],
    [new LockLostError("j"), { kind: "retry", reason: "lock_lost" }],
    [new Error("redis hiccup"), { kind: "retry", reason: "internal" }],
  ])("%s → %o", (error, decision) => {
    expect(classifyFailure(error)).toEqual(decision);
  });

  it("honours Retry-After on a 429, with a default and a ceiling", () => {
    const after = (seconds?: number) =>
      classifyFailure(new WebexApiError(429, "slow down", { retryAfter: seconds }));
    expect(after(3)).toEqual({ kind: "rate_limited", delayMs: 3000, reason: "webex_429" });
    expect(after(undefined)).toMatchObject({ delayMs: 1000 });
    expect(after(10_000_000)).toMatchObject({ delayMs: MAX_RATE_LIMIT_MS });
  });
});

describe("bot loader", () => {
  it("loads a TypeScript bot module by path: the loaded bot answers its commands", async () => {
    const bot = await loadBot(TEST_BOT_PATH);
    // test/fixtures/test-bot.ts answers ping with **pong**.
    const chat = createTestChat(new SparkBot());
    const message = chat.write("ping");
    const run = bot.run({
      message,
      event: webhookEventFor(message),
      self: chat.self,
      webex: chat.webex,
    });
    const replies = [];
    for await (const reply of run) replies.push(reply);
    expect(replies).toEqual([{ markdown: "**pong**" }]);
    expect(run).toMatchObject({ command: "ping", outcome: "ok" });
  });

  it("names BOT_MODULE when the module is missing or exports no bot", async () => {
    await expect(loadBot("./does-not-exist.mjs")).rejects.toThrow(ConfigError);
    await expect(loadBot("./does-not-exist.mjs")).rejects.toThrow(
      /^BOT_MODULE "\.\/does-not-exist\.mjs" could not be loaded/,
    );
    const dir = await mkdtemp(join(tmpdir(), "worker-bot-"));
    try {
      await writeFile(join(dir, "not-a-bot.mjs"), "export const bot = 42;\n");
      await expect(loadBot("not-a-bot.mjs", dir)).rejects.toThrow(
        'BOT_MODULE "not-a-bot.mjs" must export a SparkBot as `bot` or as its default export',
      );
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe("worker tuning", () => {
  it("reads lock and stalled-check timing from the environment", () => {
    expect(loadWorkerTuning({})).toEqual({
      lockDurationMs: 30_000,
      stalledIntervalMs: 30_000,
      maxStalledCount: 2,
    });
    expect(
      loadWorkerTuning({ WORKER_LOCK_DURATION_MS: "2000", WORKER_STALLED_INTERVAL_MS: "500" }),
    ).toMatchObject({ lockDurationMs: 2000, stalledIntervalMs: 500 });
    expect(() => loadWorkerTuning({ WORKER_LOCK_DURATION_MS: "soon" })).toThrow(ConfigError);
  });
});
