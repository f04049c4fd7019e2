import { setTimeout as sleep } from "node:timers/promises";
import { Queue } from "bullmq";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { QUEUE_NAME, SparkBot, adaptiveCard, textBlock } from "@sparkbot/core";
import { TEST_REDIS_URL } from "@sparkbot/testkit";
import { runSay, type SayOptions } from "../src/commands/say.js";
import { messageJobId } from "../src/lib/job-watch.js";
import { startInProcessSession, type InProcessSession } from "./helpers/in-process-session.js";

// `say` against what `sparkbot dev` runs: the emulator, a real receiver and a real worker.
const bot = new SparkBot();
bot.command("ping", () => "pong");
bot.command("steps", async function* () {
  yield "one";
  await sleep(300);
  yield "two";
  await sleep(300);
  yield "three";
});
bot.command("nothing", () => undefined);
bot.command("card", async function* () {
  yield { card: adaptiveCard({ body: [textBlock("A card")] }), markdown: "See the card" };
  yield { file: "https://example.com/report.pdf", markdown: "The report" };
});
bot.command("hang", async function* ({ signal }) {
  yield "first";
  await sleep(60_000, undefined, { signal }); // until COMMAND_TIMEOUT_MS aborts it
});

describe("sparkbot say", () => {
  let stack: InProcessSession;

  beforeAll(async () => {
    stack = await startInProcessSession(bot);
  });

  afterAll(async () => {
    await stack?.close();
  });

  async function say(text: string, options: Partial<SayOptions> = {}) {
    const printed: string[] = [];
    const notes: string[] = [];
    const result = await runSay({
      sessionPath: stack.sessionPath,
      text,
      room: "direct",
      write: (line) => printed.push(line),
      note: (line) => notes.push(line),
      ...options,
    });
    return { ...result, printed, notes };
  }

  async function jobState(messageId: string): Promise<string> {
    const redis = new Redis(TEST_REDIS_URL);
    const queue = new Queue(QUEUE_NAME, { connection: redis, prefix: stack.session.redisPrefix });
    try {
      return await queue.getJobState(messageJobId(messageId));
    } finally {
      await queue.close();
      redis.disconnect();
    }
  }

  it("prints every reply in order and stops when the command's job has completed", async () => {
    const result = await say("steps");
    expect(result.printed).toEqual(["one", "two", "three"]);
    expect(result.ending).toBe("completed");
    expect(result.notes).toEqual([]);
    // It stopped because the job was done, with no quiet period: the job is completed now.
    const sent = (await stack.control.roomMessages(stack.world.rooms.direct)).find(
      (message) => message.text === "steps",
    );
    expect(await jobState(sent!.id)).toBe("completed");
  });

  it("mentions the bot in the group room", async () => {
    const result = await say("ping", { room: "group" });
    expect(result.printed).toEqual(["pong"]);
    expect(result.ending).toBe("completed");
    const sent = (await stack.control.roomMessages(stack.world.rooms.group)).at(-2);
    expect(sent?.mentionedPeople).toContain(stack.world.bot.id);
  });

  it("ends at once for a command that answers nothing", async () => {
    const result = await say("nothing");
    expect(result).toMatchObject({ ending: "completed", printed: [], replies: [] });
  });

  it("says when an attempt failed and follows the retry to its replies", async () => {
    await stack.control.fault({ method: "POST", path: "/v1/messages", status: 503, count: 1 });
    const result = await say("ping");
    expect(result.printed).toEqual(["pong"]);
    expect(result.ending).toBe("completed");
    expect(result.notes).toHaveLength(1);
    expect(result.notes[0]).toMatch(/^sparkbot say: attempt 1 failed \(.*503.*\), retrying$/);
  }, 20_000);

  it("reports a job that failed for good", async () => {
    await stack.control.fault({ method: "POST", path: "/v1/messages", status: 400, count: 1 });
    const result = await say("ping");
    expect(result.ending).toBe("failed");
    expect(result.detail).toMatch(/^the command's job failed: .*400/);
  });

  it("gives up after --timeout-ms when no job appears, naming the receiver", async () => {
    const elsewhere = stack.writeVariant("other-prefix", (session) => ({
      ...session,
      redisPrefix: "{sbtest-say-no-receiver}",
    }));
    const result = await say("ping", { sessionPath: elsewhere, timeoutMs: 500 });
    expect(result.ending).toBe("timeout");
    expect(result.detail).toContain("no job was queued for the message within 500 ms");
    expect(result.detail).toContain(stack.session.receiverUrl);
  });

  it("stops after --quiet-ms without a new reply when asked to", async () => {
    const result = await say("hang", { quietMs: 200 });
    expect(result.ending).toBe("quiet");
    expect(result.printed).toEqual(["first"]);
  });

  it("explains a session whose emulator or Redis is gone", async () => {
    const noEmulator = stack.writeVariant("no-emulator", (session) => ({
      ...session,
      emulator: { ...session.emulator!, url: "http://127.0.0.1:9" },
    }));
    await expect(say("ping", { sessionPath: noEmulator })).rejects.toThrow(
      "Is `npm run dev` still running?",
    );
    const noRedis = stack.writeVariant("no-redis", (session) => ({
      ...session,
      redisUrl: "redis://127.0.0.1:9",
    }));
    await expect(say("ping", { sessionPath: noRedis })).rejects.toThrow(
      /^the dev session's Redis at redis:\/\/127\.0\.0\.1:9 does not answer/,
    );
  });

  it("notes a card or a file a reply carries; --json prints them whole", async () => {
    const text = await say("card");
    expect(text.ending).toBe("completed");
    expect(text.printed).toEqual([
      "See the card [card: see it on the chat page, or with --json]",
      "The report [file: https://example.com/report.pdf]",
    ]);
    const json = await say("card", { json: true });
    const [card] = json.printed.map((line) => JSON.parse(line) as { attachments?: unknown[] });
    expect(card?.attachments).toHaveLength(1);
  });
});
