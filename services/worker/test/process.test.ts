import { waitFor } from "@sparkbot/testkit";
import { afterEach, describe, expect, it } from "vitest";
import { spawnWorker, TEST_BOT_PATH, within, type ChildWorker } from "./helpers/child-worker.js";
import { FAST_TUNING, startStack, texts, type Stack } from "./helpers/stack.js";

let stack: Stack | undefined;
const children: ChildWorker[] = [];

afterEach(async () => {
  await Promise.all(children.splice(0).map((child) => child.kill()));
  await stack?.close();
  stack = undefined;
});

function start(env: Record<string, string | undefined>): ChildWorker {
  const child = spawnWorker(env);
  children.push(child);
  return child;
}

const FAST_ENV = {
  BOT_MODULE: TEST_BOT_PATH,
  WORKER_LOCK_DURATION_MS: String(FAST_TUNING.lockDurationMs),
  WORKER_STALLED_INTERVAL_MS: String(FAST_TUNING.stalledIntervalMs),
};

describe("worker processes", () => {
  it("a worker SIGKILLed mid-stream: another takes over and every reply arrives exactly once", async () => {
    stack = await startStack("sigkill");
    const long = { COMMAND_TIMEOUT_MS: "30000" }; // the stream takes 5 s
    const doomed = start({ ...stack.env, ...FAST_ENV, ...long });
    await doomed.ready();
    // A second between parts: the kill lands mid-stream even when the machine is busy.
    await stack.say("stream 6 1000");
    await stack.waitForReplies(2, 30_000);
    doomed.child.kill("SIGKILL");
    expect(await within(doomed.exited, 30_000, "SIGKILLed worker exit")).toBe("SIGKILL");
    const sentBeforeKill = stack.replies().length;
    expect(sentBeforeKill).toBeLessThan(6);

    const successor = await stack.startWorker({ tuning: FAST_TUNING }, long);
    await stack.waitForReplies(6, 60_000);
    // Done once the successor counted the command (after its last reply was sent and recorded).
    await waitFor(async () => (await successor.metrics.commands.get()).values.length > 0, {
      timeoutMs: 30_000,
      what: "the successor to finish the command",
    });
    expect(texts(stack.replies())).toEqual([
      "part 1",
      "part 2",
      "part 3",
      "part 4",
      "part 5",
      "part 6",
    ]);
    // The successor re-ran the command and skipped exactly what the dead worker had sent.
    const { metrics } = successor;
    expect((await metrics.repliesSkipped.get()).values[0]?.value).toBe(sentBeforeKill);
    expect((await metrics.repliesSent.get()).values[0]?.value).toBe(6 - sentBeforeKill);
    expect((await metrics.jobRetries.get()).values).toContainEqual(
      expect.objectContaining({ labels: { reason: "stalled" } }),
    );
  }, 120_000);

  it("SIGTERM drains: the in-flight command finishes, then the process exits 0", async () => {
    stack = await startStack("sigterm");
    const worker = start({ ...stack.env, BOT_MODULE: TEST_BOT_PATH });
    await worker.ready();
    await stack.say("slow 1500");
    await stack.waitForReplies(1, 30_000);
    worker.child.kill("SIGTERM");
    expect(await within(worker.exited, 30_000, "drained worker exit")).toBe(0);
    expect(texts(stack.replies())).toEqual(["working", "done"]);
    expect(worker.logs.some((line) => line["msg"] === "draining")).toBe(true);
    const command = worker.logs.find((line) => line["msg"] === "command");
    expect(command).toMatchObject({ command: "slow", outcome: "ok", roomId: stack.room.id });
    expect(command).not.toHaveProperty("text");
  }, 60_000);

  it("SIGTERM while starting: the worker exits 0 at once, without waiting to be up", async () => {
    stack = await startStack("sigterm-start");
    // people/me answers after 20 s, so that the signal surely comes while the worker starts.
    await stack.control.fault({ method: "GET", path: "/v1/people/me", delayMs: 20_000, count: 1 });
    const worker = start({ ...stack.env, BOT_MODULE: TEST_BOT_PATH });
    const faultsLeft = async () => {
      const response = await fetch(`${stack!.emulator.url}/_emulator/faults`);
      return ((await response.json()) as { items: unknown[] }).items.length;
    };
    await waitFor(async () => (await faultsLeft()) === 0, {
      timeoutMs: 20_000,
      what: "the worker to ask people/me",
    });
    worker.child.kill("SIGTERM");
    expect(await within(worker.exited, 30_000, "worker stopped while starting")).toBe(0);
    expect(worker.logs.map((line) => line["msg"])).toEqual(["stopped while starting"]);
  }, 60_000);

  it("past the drain deadline, the command is cancelled and another worker finishes it", async () => {
    stack = await startStack("deadline");
    const long = { COMMAND_TIMEOUT_MS: "30000" }; // the command may run its 5 s
    const worker = start({
      ...stack.env,
      ...long,
      BOT_MODULE: TEST_BOT_PATH,
      DRAIN_TIMEOUT_MS: "300",
    });
    await worker.ready();
    // The command needs 5 s; the drain deadline is 300 ms: the worker exits before it is done.
    await stack.say("slow 5000");
    await stack.waitForReplies(1, 30_000);
    worker.child.kill("SIGTERM");
    expect(await within(worker.exited, 30_000, "worker exit after the deadline")).toBe(0);
    expect(texts(stack.replies())).toEqual(["working"]);

    const successor = await stack.startWorker({}, long);
    await stack.waitForReplies(2, 60_000);
    await waitFor(async () => (await successor.metrics.commands.get()).values.length > 0, {
      timeoutMs: 30_000,
      what: "the successor to finish the command",
    });
    expect(texts(stack.replies())).toEqual(["working", "done"]);
  }, 120_000);

  it("a bad configuration stops the process with one line naming the variable", async () => {
    const worker = start({ WEBEX_ACCESS_TOKEN: "x", WORKER_CONCURRENCY: "many" });
    expect(await within(worker.exited, 20_000, "exit")).toBe(1);
    expect(worker.stderr().trim().split("\n")).toEqual([
      expect.stringContaining("WORKER_CONCURRENCY must be a whole number"),
    ]);
  });

  it("a missing bot module stops the process with one line naming BOT_MODULE", async () => {
    const worker = start({ WEBEX_ACCESS_TOKEN: "x", BOT_MODULE: "./no/such/bot.ts" });
    expect(await within(worker.exited, 20_000, "exit")).toBe(1);
    const lines = worker.stderr().trim().split("\n");
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/BOT_MODULE "\.\/no\/such\/bot\.ts" could not be loaded/);
  });
});
