import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Message } from "@sparkbot/core";
import { EmulatorControl, startEmulator, type RunningEmulator } from "@sparkbot/emulator";
import { TEST_REDIS_URL, deletePrefix, uniquePrefix } from "@sparkbot/testkit";
import { runSay } from "../src/commands/say.js";
import { runWebhooks } from "../src/commands/webhooks.js";
import { sessionPerson, setUpWorld, type EmulatorWorld } from "../src/dev/emulator-setup.js";
import { writeSession, type DevSession } from "../src/dev/session.js";

describe("sparkbot say and sparkbot webhooks, against the emulator", () => {
  const prefix = uniquePrefix("cli");
  let emulator: RunningEmulator;
  let control: EmulatorControl;
  let world: EmulatorWorld;
  let dir: string;
  let sessionPath: string;
  const receiverUrl = "http://127.0.0.1:9";
  /** What the stand-in bot answers to each text it is sent, with delays (ms) between replies. */
  const script = new Map<string, { text: string; delayMs: number }[]>();
  const received: Message[] = [];

  beforeAll(async () => {
    emulator = await startEmulator({ port: 0 });
    control = new EmulatorControl(emulator.url);
    world = await setUpWorld(control);
    dir = mkdtempSync(join(tmpdir(), "sparkbot-cli-"));
    sessionPath = join(dir, "dev.json");
    writeSession(sessionPath, {
      mode: "emulator",
      startedAt: new Date().toISOString(),
      pid: process.pid,
      redisUrl: TEST_REDIS_URL,
      redisSource: "env",
      redisPrefix: prefix,
      receiverUrl,
      workerUrl: "http://127.0.0.1:9",
      emulator: {
        url: emulator.url,
        apiUrl: emulator.apiUrl,
        chatUrl: `${emulator.url}/chat`,
        bot: sessionPerson(world.bot),
        user: sessionPerson(world.user),
        rooms: world.rooms,
      },
      pids: {},
    });
    // A stand-in bot: answers the user's messages through the control API, as the worker would.
    emulator.events.on("message", (message: Message) => {
      if (message.personId !== world.user.id) return;
      received.push(message);
      const text = (message.text ?? "").replace(/^SparkBot\s*/, "");
      void (async () => {
        for (const reply of script.get(text) ?? []) {
          await new Promise((resolve) => setTimeout(resolve, reply.delayMs));
          await control.sendMessage({
            personId: world.bot.id,
            roomId: message.roomId,
            text: reply.text,
          });
        }
      })();
    });
  });

  afterAll(async () => {
    await emulator?.close();
    await deletePrefix(prefix);
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("say sends as the dev user and prints every reply, in order, until it is quiet", async () => {
    script.set("slow", [
      { text: "working on it", delayMs: 0 },
      { text: "done", delayMs: 600 },
    ]);
    const printed: string[] = [];
    const replies = await runSay({
      sessionPath,
      text: "slow",
      room: "direct",
      quietMs: 1_200,
      write: (line) => printed.push(line),
    });
    expect(printed).toEqual(["working on it", "done"]);
    expect(replies.map((reply) => reply.personId)).toEqual([world.bot.id, world.bot.id]);
    expect(received.at(-1)).toMatchObject({ roomId: world.rooms.direct, personId: world.user.id });
  });

  it("say mentions the bot in the group room", async () => {
    script.set("ping", [{ text: "pong", delayMs: 0 }]);
    const printed: string[] = [];
    await runSay({
      sessionPath,
      text: "ping",
      room: "group",
      quietMs: 300,
      write: (line) => printed.push(line),
    });
    expect(printed).toEqual(["pong"]);
    expect(received.at(-1)?.roomId).toBe(world.rooms.group);
    expect(received.at(-1)?.mentionedPeople).toContain(world.bot.id);
  });

  it("say gives up after its timeout when the bot stays silent", async () => {
    const started = Date.now();
    const replies = await runSay({
      sessionPath,
      text: "nothing",
      room: "direct",
      timeoutMs: 500,
      write: () => undefined,
    });
    expect(replies).toEqual([]);
    expect(Date.now() - started).toBeLessThan(3_000);
  });

  it("say explains a stale session whose emulator is gone", async () => {
    const stale = join(dir, "stale.json");
    const session = JSON.parse(readFileSync(sessionPath, "utf8")) as DevSession;
    writeSession(stale, {
      ...session,
      emulator: { ...session.emulator!, url: "http://127.0.0.1:9" },
    });
    const failure = runSay({
      sessionPath: stale,
      text: "ping",
      room: "direct",
      write: () => undefined,
    });
    await expect(failure).rejects.toThrow("Is `npm run dev` still running?");
  });

  it("webhooks sync registers as a receiver would, with the secret kept in Redis; list and delete", async () => {
    const env = { REDIS_URL: TEST_REDIS_URL, REDIS_PREFIX: prefix };
    const lines: string[] = [];
    const write = (line: string) => lines.push(line);
    const common = { ids: [], all: false, json: false, sessionPath, env, write };
    expect(await runWebhooks({ ...common, action: "sync" })).toBe(0);
    expect(lines.filter((line) => line.startsWith("created "))).toHaveLength(3);

    const hooks = await control.webhooks();
    expect(hooks.map((hook) => hook.resource).sort()).toEqual([
      "attachmentActions",
      "memberships",
      "messages",
    ]);
    const redis = new Redis(TEST_REDIS_URL);
    const secret = await redis.get(`${prefix}:receiver:webhook-secret`);
    redis.disconnect();
    expect(secret).toMatch(/^[0-9a-f]{64}$/);
    for (const hook of hooks)
      expect(hook).toMatchObject({ targetUrl: `${receiverUrl}/sparkbot`, secret });

    lines.length = 0;
    expect(await runWebhooks({ ...common, action: "sync" })).toBe(0);
    expect(lines.filter((line) => line.startsWith("unchanged "))).toHaveLength(3);

    lines.length = 0;
    expect(await runWebhooks({ ...common, action: "list", json: true })).toBe(0);
    const listed = JSON.parse(lines[0]!) as Record<string, unknown>[];
    expect(listed).toHaveLength(3);
    expect(listed.every((hook) => hook["secret"] === undefined)).toBe(true);

    lines.length = 0;
    expect(await runWebhooks({ ...common, action: "delete", all: true })).toBe(0);
    expect(lines).toHaveLength(3);
    expect(await control.webhooks()).toEqual([]);
    expect(await runWebhooks({ ...common, action: "delete" })).toBe(1);
  }, 30_000);
});
