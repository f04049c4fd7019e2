import { spawn, type ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { Queue } from "bullmq";
import { QUEUE_NAME, jobIdFor, type EventJob } from "@sparkbot/core";
import { EmulatorControl, startEmulator, type RunningEmulator } from "@sparkbot/emulator";
import { TEST_REDIS_URL, deletePrefix, freePort, uniquePrefix, waitFor } from "@sparkbot/testkit";
import { PrivateRedis, makeEvent, post } from "./helpers.js";

const MAIN = fileURLToPath(new URL("../dist/main.js", import.meta.url));

/** The receiver as a child process: `node services/receiver/dist/main.js`. */
interface Child {
  process: ChildProcess;
  stdout: string[];
  stderr: string[];
  exited: Promise<number | null>;
}

function spawnReceiver(env: Record<string, string>): Child {
  if (!existsSync(MAIN)) throw new Error(`${MAIN} is missing: run \`pnpm build\` first`);
  const child = spawn(process.execPath, [MAIN], {
    env: { PATH: process.env["PATH"] ?? "", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const stdout: string[] = [];
  const stderr: string[] = [];
  child.stdout?.on("data", (chunk: Buffer) => stdout.push(...chunk.toString().split("\n")));
  child.stderr?.on("data", (chunk: Buffer) => stderr.push(...chunk.toString().split("\n")));
  const exited = new Promise<number | null>((resolve) => child.once("exit", resolve));
  return { process: child, stdout, stderr, exited };
}

function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  return Promise.race([
    promise,
    new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`${what}: timeout`)), ms)),
  ]);
}

describe("the receiver process (dist/main.js)", () => {
  let emulator: RunningEmulator;
  let control: EmulatorControl;
  const children: Child[] = [];
  const prefixes: string[] = [];

  beforeAll(async () => {
    emulator = await startEmulator();
    control = new EmulatorControl(emulator.url);
  });
  afterEach(async () => {
    for (const child of children.splice(0)) {
      if (child.process.exitCode === null) child.process.kill("SIGKILL");
      await child.exited;
    }
    await Promise.all(prefixes.splice(0).map((prefix) => deletePrefix(prefix)));
  });
  afterAll(async () => {
    await emulator?.close();
  });

  it("stops at start with one line naming a missing or bad variable", async () => {
    const missing = spawnReceiver({});
    children.push(missing);
    expect(await within(missing.exited, 10_000, "exit")).toBe(1);
    const lines = missing.stderr.filter(Boolean);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/WEBEX_ACCESS_TOKEN \(or SPARK_ACCESS_TOKEN\) is not set/);

    const bad = spawnReceiver({ SPARK_ACCESS_TOKEN: "t", BODY_LIMIT_BYTES: "lots" });
    children.push(bad);
    expect(await within(bad.exited, 10_000, "exit")).toBe(1);
    expect(bad.stderr.filter(Boolean)).toEqual([
      'sparkbot receiver: BODY_LIMIT_BYTES must be a whole number, got "lots"',
    ]);
  });

  it("registers, enqueues a delivery from the emulator, and exits 0 on SIGTERM", async () => {
    await control.reset();
    const bot = await control.createPerson({ displayName: "Bot", email: "b@x.test", type: "bot" });
    const user = await control.createPerson({ displayName: "User", email: "u@x.test" });
    const prefix = uniquePrefix("process");
    prefixes.push(prefix);
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    const child = spawnReceiver({
      SPARK_ACCESS_TOKEN: bot.token, // the original's variable name is accepted
      WEBEX_API_URL: emulator.apiUrl,
      REDIS_URL: TEST_REDIS_URL,
      REDIS_PREFIX: prefix,
      RECEIVER_HOST: "127.0.0.1",
      RECEIVER_PORT: String(port),
      WEBHOOK_URL: url,
    });
    children.push(child);
    await waitFor(async () => (await fetch(`${url}/readyz`)).status === 200, {
      timeoutMs: 20_000,
      what: "the receiver process to be ready",
    });

    const room = await control.createRoom({
      title: "dm",
      type: "direct",
      members: [user.id, bot.id],
    });
    const message = await control.sendMessage({ personId: user.id, roomId: room.id, text: "hi" });
    await control.settledDeliveries();
    const inspect = new Queue<EventJob>(QUEUE_NAME, {
      connection: { url: TEST_REDIS_URL },
      prefix,
    });
    try {
      const id = jobIdFor({ resource: "messages", event: "created", data: { id: message.id } });
      expect((await inspect.getJob(id))?.data.event.data.id).toBe(message.id);
    } finally {
      await inspect.close();
    }

    child.process.kill("SIGTERM");
    expect(await within(child.exited, 15_000, "exit after SIGTERM")).toBe(0);
    const logs = child.stdout.filter(Boolean).map((line) => JSON.parse(line) as { msg: string });
    expect(logs.map((line) => line.msg)).toContain("receiver stopped");
    expect(child.stdout.join("\n")).not.toContain(bot.token);
  });

  it("finishes an enqueue in flight before exiting on SIGTERM", async () => {
    const redis = await PrivateRedis.start();
    const admin = redis.client();
    try {
      const bot = await control.createPerson({
        displayName: "Bot",
        email: "b2@x.test",
        type: "bot",
      });
      const port = await freePort();
      const url = `http://127.0.0.1:${port}`;
      const child = spawnReceiver({
        WEBEX_ACCESS_TOKEN: bot.token,
        WEBEX_API_URL: emulator.apiUrl,
        REDIS_URL: redis.url,
        RECEIVER_HOST: "127.0.0.1",
        RECEIVER_PORT: String(port),
        WEBHOOK_SECRET: "fixed-secret",
        // Longer than the pause below: the enqueue waits for Redis instead of timing out.
        ENQUEUE_TIMEOUT_MS: "60000",
      });
      children.push(child);
      await waitFor(async () => (await fetch(`${url}/readyz`)).status === 200, {
        timeoutMs: 20_000,
        what: "ready",
      });
      await admin.connect();
      // Writes wait until the test lets them go (CLIENT UNPAUSE below), however slow the machine.
      await admin.call("CLIENT", "PAUSE", "60000", "WRITE");
      const event = makeEvent();
      const delivery = post(`${url}/sparkbot`, event, { secret: "fixed-secret" });
      // The receiver's write is held by the pause (Redis counts it as a blocked client): the
      // enqueue is in flight when the signal comes.
      await waitFor(
        async () => /^blocked_clients:[1-9]/m.test(String(await admin.call("INFO", "clients"))),
        { timeoutMs: 30_000, what: "the enqueue to wait on the paused Redis" },
      );
      child.process.kill("SIGTERM");
      // It took the signal, and stays until the enqueue is done: Redis takes it only now.
      await waitFor(() => child.stdout.some((line) => line.includes("shutting down")), {
        timeoutMs: 30_000,
        what: "the receiver to start shutting down",
      });
      expect(child.process.exitCode).toBeNull();
      await admin.call("CLIENT", "UNPAUSE");
      expect((await delivery).status).toBe(202);
      expect(await within(child.exited, 30_000, "exit after SIGTERM")).toBe(0);
      expect(await admin.exists(`{sparkbot}:${QUEUE_NAME}:${jobIdFor(event)}`)).toBe(1);
    } finally {
      admin.disconnect();
      await redis.stop();
    }
  });

  it("replays what a receiver killed with SIGKILL had journaled, in a new process", async () => {
    const redis = await PrivateRedis.start();
    const journalDir = await mkdtemp(join(tmpdir(), "sparkbot-crash-"));
    const admin = redis.client();
    try {
      const bot = await control.createPerson({ displayName: "B", email: "b3@x.test", type: "bot" });
      const env = {
        WEBEX_ACCESS_TOKEN: bot.token,
        WEBEX_API_URL: emulator.apiUrl,
        REDIS_URL: redis.url,
        RECEIVER_HOST: "127.0.0.1",
        WEBHOOK_SECRET: "fixed-secret",
        JOURNAL_DIR: journalDir,
      };
      await redis.stop();
      const port = await freePort();
      const first = spawnReceiver({ ...env, RECEIVER_PORT: String(port) });
      children.push(first);
      await waitFor(async () => (await fetch(`http://127.0.0.1:${port}/healthz`)).ok, {
        timeoutMs: 20_000,
        what: "the first receiver",
      });
      const events = [makeEvent(), makeEvent(), makeEvent()];
      for (const event of events) {
        const answer = await post(`http://127.0.0.1:${port}/sparkbot`, event, {
          secret: "fixed-secret",
        });
        expect(await answer.json()).toMatchObject({ outcome: "journaled" });
      }
      first.process.kill("SIGKILL");
      await within(first.exited, 10_000, "exit after SIGKILL");

      await redis.start();
      const secondPort = await freePort();
      const second = spawnReceiver({ ...env, RECEIVER_PORT: String(secondPort) });
      children.push(second);
      await admin.connect();
      for (const event of events) {
        await waitFor(
          async () => (await admin.exists(`{sparkbot}:${QUEUE_NAME}:${jobIdFor(event)}`)) === 1,
          { timeoutMs: 20_000, what: `job ${jobIdFor(event)} replayed by the new process` },
        );
      }
      second.process.kill("SIGTERM");
      expect(await within(second.exited, 15_000, "exit after SIGTERM")).toBe(0);
    } finally {
      admin.disconnect();
      await redis.stop();
      await rm(journalDir, { recursive: true, force: true });
    }
  });

  it("stops at start with one line when JOURNAL_DIR cannot be written", async () => {
    const file = join(await mkdtemp(join(tmpdir(), "sparkbot-jd-")), "a-file");
    await writeFile(file, "not a directory");
    const child = spawnReceiver({
      WEBEX_ACCESS_TOKEN: "t",
      WEBEX_API_URL: emulator.apiUrl,
      REDIS_URL: TEST_REDIS_URL,
      RECEIVER_PORT: "0",
      JOURNAL_DIR: file,
    });
    children.push(child);
    expect(await within(child.exited, 10_000, "exit")).toBe(1);
    expect(child.stderr.filter(Boolean)).toEqual([
      expect.stringMatching(/^sparkbot receiver: JOURNAL_DIR .*a-file is not a writable directory/),
    ]);
  });
});
