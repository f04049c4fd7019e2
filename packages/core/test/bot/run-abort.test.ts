// A command run cut short: by its timeout, by another abort reason, or before it starts.
import { describe, expect, test, vi } from "vitest";
import { CommandTimeoutError, DEFAULT_REPLY_TEXTS, SparkBot } from "@sparkbot/core";
import { createTestChat } from "@sparkbot/core/testing";

describe("abort", () => {
  test("a timeout stops the handler at once, tells the user, and returns its generator", async () => {
    const controller = new AbortController();
    let cleanedUp = false;
    let continued = false;
    // The handler waits on this until the test lets it go, after the run has ended: had the run
    // waited for the handler, the loop below would never end.
    let release = () => {};
    const gate = new Promise<void>((resolve) => (release = resolve));
    const bot = new SparkBot().command("hang", async function* () {
      try {
        yield "started";
        await gate;
        yield "never sent";
        continued = true;
      } finally {
        cleanedUp = true;
      }
    });
    const chat = createTestChat(bot);
    const replies: string[] = [];
    for await (const reply of chat.stream("hang", { signal: controller.signal })) {
      replies.push(reply);
      if (reply === "started") controller.abort(new CommandTimeoutError(10));
    }
    expect(replies).toEqual(["started", DEFAULT_REPLY_TEXTS.timeout]);
    release();
    await vi.waitFor(() => expect(cleanedUp).toBe(true), { timeout: 10_000 });
    expect(continued).toBe(false);
    expect(chat.webex.messageList.map((m) => m.markdown ?? m.text)).not.toContain("never sent");
  });

  test("a timeout during a plain promise gives the timeout outcome", async () => {
    const controller = new AbortController();
    const bot = new SparkBot().command("wait", () => new Promise<string>(() => undefined));
    setTimeout(() => controller.abort(new CommandTimeoutError(20)), 20);
    const run = await createTestChat(bot).run("wait", { signal: controller.signal });
    expect(run).toMatchObject({
      replies: [DEFAULT_REPLY_TEXTS.timeout],
      command: "wait",
      outcome: "timeout",
    });
  });

  test("a handler that rethrows the timeout reason still gets the timeout reply", async () => {
    const controller = new AbortController();
    const bot = new SparkBot().command("polite", async ({ signal }) => {
      await new Promise((_resolve, reject) => {
        signal.addEventListener("abort", () => reject(signal.reason as Error));
      });
      return "never";
    });
    setTimeout(() => controller.abort(new CommandTimeoutError(5)), 5);
    expect(await createTestChat(bot).run("polite", { signal: controller.signal })).toMatchObject({
      outcome: "timeout",
    });
  });

  test("another abort reason stops the handler and is thrown", async () => {
    const controller = new AbortController();
    const shutdown = new Error("worker shutting down");
    let cleanedUp = false;
    const bot = new SparkBot().command("hang", function* () {
      try {
        yield "first";
        yield "second";
      } finally {
        cleanedUp = true;
      }
    });
    const chat = createTestChat(bot);
    const replies: string[] = [];
    const consume = async (): Promise<void> => {
      for await (const reply of chat.stream("hang", { signal: controller.signal })) {
        replies.push(reply);
        controller.abort(shutdown);
      }
    };
    await expect(consume()).rejects.toBe(shutdown);
    expect(replies).toEqual(["first"]);
    expect(cleanedUp).toBe(true);
  });

  test("an already aborted signal runs nothing", async () => {
    let ran = false;
    const bot = new SparkBot().command("x", () => {
      ran = true;
    });
    const signal = AbortSignal.abort(new CommandTimeoutError(1));
    expect(await createTestChat(bot).run("x", { signal })).toMatchObject({ outcome: "timeout" });
    expect(ran).toBe(false);
  });
});
