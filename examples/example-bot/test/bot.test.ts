import { afterEach, describe, expect, test } from "vitest";
import { CommandTimeoutError, DEFAULT_REPLY_TEXTS, loadAccessPolicy } from "@sparkbot/core";
import { createTestChat } from "@sparkbot/core/testing";
import exampleDefault, { bot, feedbackCard, slowCommandMs } from "@sparkbot/example-bot";

const savedSlow = process.env.SLOW_COMMAND_MS;
afterEach(() => {
  if (savedSlow === undefined) delete process.env.SLOW_COMMAND_MS;
  else process.env.SLOW_COMMAND_MS = savedSlow;
});

describe("example bot", () => {
  test("exports the bot by name and as default", () => {
    expect(exampleDefault).toBe(bot);
  });

  test("ping returns pong, in direct and group rooms", async () => {
    const chat = createTestChat(bot);
    expect(await chat.send("ping")).toEqual(["**pong**"]);
    expect(await chat.send("ping", { roomType: "group" })).toEqual(["**pong**"]);
  });

  test("help ping shows the docstring help", async () => {
    expect(await createTestChat(bot).send("help ping")).toEqual([
      "Checks if the bot is running.\n\nUsage: `ping`\n\nReturns **pong**.",
    ]);
  });

  test("help lists the commands", async () => {
    expect(await createTestChat(bot).send("help")).toEqual([
      [
        "Type `help [command]` for more specific help about any of these commands:",
        " - echo, testcommand",
        " - feedback",
        " - help",
        " - ping",
        " - slow",
        " - whoami",
      ].join("\n"),
    ]);
  });

  test("testcommand and its alias echo return the first argument, quotes respected", async () => {
    const chat = createTestChat(bot);
    expect(await chat.send("testcommand some cool stuff")).toEqual(["some"]);
    expect(await chat.send('echo "some cool" stuff')).toEqual(["some cool"]);
    expect(await chat.send("echo")).toEqual(["This command requires at least one argument"]);
  });

  test("slow replies early, then when done", async () => {
    process.env.SLOW_COMMAND_MS = "50";
    const times: number[] = [];
    const replies: string[] = [];
    const started = Date.now();
    for await (const reply of createTestChat(bot).stream("slow")) {
      replies.push(reply);
      times.push(Date.now() - started);
    }
    expect(replies).toEqual(["working on it", "**done**"]);
    expect(times[1]! - times[0]!).toBeGreaterThanOrEqual(40);
  });

  test("slow stops when its signal fires", async () => {
    // An hour: only the abort can end the command within the test's timeout.
    process.env.SLOW_COMMAND_MS = "3600000";
    const controller = new AbortController();
    setTimeout(() => controller.abort(new CommandTimeoutError(30)), 30);
    const run = await createTestChat(bot).run("slow", { signal: controller.signal });
    expect(run.replies).toEqual(["working on it", DEFAULT_REPLY_TEXTS.timeout]);
    expect(run.outcome).toBe("timeout");
  });

  test("SLOW_COMMAND_MS defaults to 3000 ms", () => {
    expect(slowCommandMs({})).toBe(3000);
    expect(slowCommandMs({ SLOW_COMMAND_MS: "abc" })).toBe(3000);
    expect(slowCommandMs({ SLOW_COMMAND_MS: "10" })).toBe(10);
  });

  test("whoami names the caller", async () => {
    const chat = createTestChat(bot, {
      user: { displayName: "Ada Lovelace", emails: ["ada@example.com"] },
    });
    expect(await chat.send("whoami")).toEqual(["You are **Ada Lovelace** (ada@example.com)."]);
  });

  test("whoami answers only in a direct room, and help elsewhere does not offer it", async () => {
    const chat = createTestChat(bot);
    expect(await chat.run("whoami", { roomType: "group" })).toMatchObject({
      replies: [DEFAULT_REPLY_TEXTS.accessDenied],
      outcome: "denied",
    });
    const [list] = await chat.send("help", { roomType: "group" });
    expect(list).not.toContain("whoami");
    expect(list).toContain(" - ping");
  });

  test("the deployment's access rules apply on top (ACCESS_* variables)", async () => {
    const access = loadAccessPolicy({
      ACCESS_ALLOW_EMAIL_DOMAINS: "example.com",
      ACCESS_COMMANDS: '{"slow":{"emails":["boss@example.com"]}}',
    });
    const chat = createTestChat(bot, { access, user: { email: "ada@example.com" } });
    expect(await chat.send("ping")).toEqual(["**pong**"]);
    expect(await chat.run("slow")).toMatchObject({ outcome: "denied" });
    expect(await chat.run("ping", { from: { email: "eve@elsewhere.org" } })).toMatchObject({
      outcome: "denied",
      denial: { reason: "person", rule: "bot" },
    });
  });

  test("unknown commands reach the fallback", async () => {
    const run = await createTestChat(bot).run("dance now");
    expect(run.replies).toEqual([
      'I don\'t know the command "dance". Type `help` to see what I can do.',
    ]);
    expect(run.command).toBe("(fallback)");
  });

  test("feedback sends a card; its submission replaces the form and thanks the sender", async () => {
    const chat = createTestChat(bot, {
      user: { displayName: "Ada Lovelace", emails: ["ada@example.com"] },
    });
    const asked = await chat.run("feedback");
    expect(asked.cards).toEqual([feedbackCard]);
    expect(asked.replies).toEqual(["How do you like SparkBot? (Open Webex to answer.)"]);
    const [form] = asked.sent;
    const answered = await chat.submitCard(form!, {
      inputs: { rating: "😀 Great", comment: " Lovely " },
    });
    expect(answered).toMatchObject({ command: "feedback", outcome: "ok" });
    expect(answered.replies).toEqual([
      "Feedback received: 😀 Great",
      "Thanks, Ada! Your feedback (😀 Great) is noted.",
    ]);
    expect(answered.cards[0]?.body?.[1]).toEqual({
      type: "FactSet",
      facts: [
        { title: "Rating", value: "😀 Great" },
        { title: "Comment", value: "Lovely" },
      ],
    });
    expect(chat.webex.messageList.some((m) => m.id === form!.id)).toBe(false); // replaced
    await expect(chat.submitCard(answered.sent[0]!, {})).rejects.toThrow(/no Action.Submit/);
  });

  test("a rating is required, as the card says", async () => {
    const chat = createTestChat(bot);
    const [form] = (await chat.run("feedback")).sent;
    await expect(chat.submitCard(form!, { inputs: { comment: "no rating" } })).rejects.toThrow(
      /"rating" is required/,
    );
  });

  test("greets a room it is added to, naming who added it", async () => {
    const chat = createTestChat(bot);
    const grace = chat.person({ email: "grace@example.com", displayName: "Grace Hopper" });
    expect((await chat.botAdded({ by: grace })).replies).toEqual([
      "👋 Hello! Thanks for adding me, Grace Hopper. Mention me with `help` to see what I can do.",
    ]);
    expect(bot.handledEvents).toEqual({ memberships: ["botAdded"] });
  });
});
