import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { Queue } from "bullmq";
import { QUEUE_NAME, loadReceiverConfig, silentLogger, type EventJob } from "@sparkbot/core";
import { startReceiver, type RunningReceiver } from "@sparkbot/receiver";
import { TEST_REDIS_URL, freePort, waitFor } from "@sparkbot/testkit";
import { startStack, texts, type Stack } from "./helpers/stack.js";

// A webhook receiver and a websocket listener on one queue, a worker behind them: every message
// reaches both ingresses, and each command runs (and is answered) once.

let stack: Stack | undefined;
let listener: RunningReceiver | undefined;

afterEach(async () => {
  await listener?.close();
  await stack?.close();
  stack = listener = undefined;
});

describe("both ingresses at once", () => {
  it("never run a command twice", async () => {
    stack = await startStack("two-ingresses");
    listener = await startReceiver(
      loadReceiverConfig({
        ...stack.env,
        WEBEX_CLIENT: "http",
        RECEIVER_HOST: "127.0.0.1",
        RECEIVER_PORT: String(await freePort()),
        JOURNAL_DIR: await mkdtemp(join(tmpdir(), "sparkbot-two-ingresses-")),
        INGRESS: "websocket",
      }),
      { logger: silentLogger, defaultMetrics: false },
    );
    const l = listener;
    await waitFor(() => l.listener?.status().connected === true, {
      what: "the listener's socket",
      timeoutMs: 20_000,
    });
    await stack.startWorker();
    const count = 10;
    for (let i = 0; i < count; i += 1) await stack.say("ping");
    const replies = await stack.waitForReplies(count, 30_000);
    expect(texts(replies)).toEqual(Array.from({ length: count }, () => "**pong**"));
    // Both ingresses took every message (one created the job, the other found it; on a loaded
    // machine the listener may also have journaled one, or failed to fetch it and left it
    // unacked: either way it had its chance to enqueue it a second time) ...
    const seen = (text: string) =>
      [
        ...text.matchAll(
          /kind="messages\/created",outcome="(?:accepted|duplicate|journaled|failed)"\} (\d+)/g,
        ),
      ]
        .map((m) => Number(m[1]))
        .reduce((a, b) => a + b, 0);
    await waitFor(async () => seen(await l.metrics.render()) >= count, {
      what: "the listener saw every message",
      timeoutMs: 60_000,
    });
    await stack.emulator.deliveriesIdle();
    // ... and once every job is done, there is still one reply per message.
    const queue = new Queue<EventJob>(QUEUE_NAME, {
      connection: { url: TEST_REDIS_URL },
      prefix: stack.prefix,
    });
    await waitFor(
      async () => {
        const counts = await queue.getJobCounts("waiting", "active", "delayed");
        return (counts["waiting"] ?? 0) + (counts["active"] ?? 0) + (counts["delayed"] ?? 0) === 0;
      },
      { what: "the queue drained", timeoutMs: 20_000 },
    );
    expect(await queue.getJobCounts("completed")).toEqual({ completed: count });
    await queue.close();
    expect(stack.replies()).toHaveLength(count);
  }, 180_000);
});
