import { describe, expect, it } from "vitest";
import {
  CommandError,
  CommandSetupError,
  DEFAULT_REPLY_TEXTS,
  SparkBot,
  adaptiveCard,
  choiceSetInput,
  submitAction,
  textBlock,
  textInput,
  type MiddlewareContext,
} from "../../src/index.js";
import { createTestChat } from "../../src/testing/index.js";

const poll = adaptiveCard({
  body: [
    textBlock("Lunch?"),
    choiceSetInput("choice", ["pizza", "sushi"], { isRequired: true, value: "pizza" }),
    textInput("comment"),
  ],
  actions: [
    submitAction("Vote", { action: "vote", poll: "lunch" }),
    submitAction("Close", { action: "close" }),
  ],
});

function pollBot() {
  const bot = new SparkBot().command("poll", () => ({ card: poll, markdown: "A poll" }));
  bot.action("vote", ({ inputs, caller }) =>
    caller.then(
      (person) =>
        `${person.displayName} voted ${String(inputs["choice"])} (${String(inputs["poll"])})`,
    ),
  );
  return bot;
}

describe("card actions", () => {
  it("routes a submission by the action key of the pressed button, with the inputs and the card", async () => {
    const bot = pollBot();
    const seen: unknown[] = [];
    bot.action("close", async function* ({ message, card, personId, roomId, action, name }) {
      seen.push({ card, messageId: message.id, personId, roomId, actionId: action.id, name });
      yield "closed";
    });
    const chat = createTestChat(bot);
    const [cardMessage] = (await chat.run("poll")).sent;
    const vote = await chat.submitCard(cardMessage!, {
      button: "Vote",
      inputs: { choice: "sushi" },
    });
    expect(vote).toMatchObject({
      replies: ["Test User voted sushi (lunch)"],
      command: "vote",
      outcome: "ok",
    });
    const close = await chat.submitCard(cardMessage!, { button: "Close" });
    expect(close.replies).toEqual(["closed"]);
    expect(seen).toEqual([
      {
        card: poll,
        messageId: cardMessage!.id,
        personId: chat.user.id,
        roomId: chat.directRoom.id,
        actionId: expect.any(String),
        name: "close",
      },
    ]);
  });

  it("submits what a Webex client submits: strings, the card's default values, required inputs checked", async () => {
    const bot = new SparkBot();
    const got: unknown[] = [];
    bot.action("vote", ({ inputs }) => void got.push(inputs));
    const chat = createTestChat(bot);
    const cardMessage = await chat.webex.messages.create({
      roomId: chat.directRoom.id,
      markdown: "poll",
      attachments: [{ contentType: "application/vnd.microsoft.card.adaptive", content: poll }],
    });
    await chat.submitCard(cardMessage, { button: "Vote" });
    expect(got).toEqual([{ action: "vote", poll: "lunch", choice: "pizza" }]);
    await expect(
      chat.submitCard(cardMessage, { button: "Vote", inputs: { choice: "" } }),
    ).rejects.toThrow(/"choice" is required/);
    await expect(chat.submitCard(cardMessage, { inputs: {} })).rejects.toThrow(
      /name one with `button`/,
    );
    await expect(
      chat.submitCard(cardMessage, { button: "Vote", inputs: { nope: 1 } }),
    ).rejects.toThrow(/no input "nope"/);
  });

  it("sends actions no handler takes to the action fallback, or answers unknownAction and counts it", async () => {
    const chat = createTestChat(pollBot());
    const [cardMessage] = (await chat.run("poll")).sent;
    const unknown = await chat.submitCard(cardMessage!, { button: "Close" });
    expect(unknown).toMatchObject({
      replies: [DEFAULT_REPLY_TEXTS.unknownAction],
      command: "(unknown-action)",
      outcome: "unknown_action",
    });
    const withFallback = pollBot().actionFallback(({ name }) => `no handler for ${name ?? "?"}`);
    const chat2 = createTestChat(withFallback);
    const [card2] = (await chat2.run("poll")).sent;
    expect(await chat2.submitCard(card2!, { button: "Close" })).toMatchObject({
      replies: ["no handler for close"],
      command: "(action-fallback)",
    });
  });

  it("reads the action name under the bot's own key", async () => {
    const bot = new SparkBot({ actionKey: "callback_keyword" });
    bot.command("go", () => ({
      card: adaptiveCard({ actions: [submitAction("Go", { callback_keyword: "go" })] }),
    }));
    bot.action("go", () => "went");
    const chat = createTestChat(bot);
    const [cardMessage] = (await chat.run("go")).sent;
    expect((await chat.submitCard(cardMessage!)).replies).toEqual(["went"]);
  });

  it("replaces the card: the new card where the old one was, the old one deleted", async () => {
    const bot = pollBot();
    bot.action("close", async ({ replaceCard }) => {
      await replaceCard({
        card: adaptiveCard({ body: [textBlock("Poll closed")] }),
        markdown: "closed",
      });
      return "thanks";
    });
    const chat = createTestChat(bot);
    const root = chat.write("start here");
    const [cardMessage] = (await chat.run("poll", { parentId: root.id })).sent;
    const result = await chat.submitCard(cardMessage!, { button: "Close" });
    expect(result.replies).toEqual(["closed", "thanks"]);
    expect(result.sent.map((m) => m.parentId)).toEqual([root.id, root.id]);
    expect(chat.webex.messageList.some((m) => m.id === cardMessage!.id)).toBe(false);
  });

  it("deletes the card, twice without harm (a retried job deletes again)", async () => {
    const bot = pollBot();
    bot.action("close", async ({ deleteCard }) => {
      await deleteCard();
      await deleteCard();
    });
    const chat = createTestChat(bot);
    const [cardMessage] = (await chat.run("poll")).sent;
    expect((await chat.submitCard(cardMessage!, { button: "Close" })).outcome).toBe("ok");
    expect(chat.webex.messageList.some((m) => m.id === cardMessage!.id)).toBe(false);
  });

  it("goes through the middleware chain with ctx.type cardAction, and the access gate", async () => {
    const seen: string[] = [];
    const record = async (ctx: MiddlewareContext, next: () => Promise<void>) => {
      seen.push(`${ctx.type}:${ctx.name}${ctx.type === "cardAction" ? `:${ctx.route}` : ""}`);
      await next();
    };
    const bot = pollBot().use(record);
    bot.action("close", { allow: { emails: ["boss@example.com"] } }, () => "closed");
    const chat = createTestChat(bot, { user: { email: "ada@example.com" } });
    const [cardMessage] = (await chat.run("poll")).sent;
    const denied = await chat.submitCard(cardMessage!, { button: "Close" });
    expect(denied).toMatchObject({ outcome: "denied", replies: [bot.texts.accessDenied] });
    expect(denied.denial).toMatchObject({ command: "close", reason: "person", rule: "command" });
    const boss = await chat.submitCard(cardMessage!, {
      button: "Close",
      from: { email: "boss@example.com" },
    });
    expect(boss.replies).toEqual(["closed"]);
    expect(seen).toEqual(["message:poll", "cardAction:close:action"]);
  });

  it("answers errors like a command's", async () => {
    const bot = pollBot();
    bot.action("close", () => {
      throw new CommandError("The poll is already closed.");
    });
    const chat = createTestChat(bot);
    const [cardMessage] = (await chat.run("poll")).sent;
    expect(await chat.submitCard(cardMessage!, { button: "Close" })).toMatchObject({
      replies: ["⚠️ Error: The poll is already closed."],
      outcome: "user_error",
    });
  });

  it("checks registrations", () => {
    const bot = new SparkBot().action("a", () => undefined);
    expect(() => bot.action("a", () => undefined)).toThrow(CommandSetupError);
    expect(() => bot.action([], () => undefined)).toThrow(CommandSetupError);
    expect(() => bot.action("b", { nope: 1 } as never, () => undefined)).toThrow(
      /Unknown action option/,
    );
    bot.actionFallback(() => undefined);
    expect(() => bot.actionFallback(() => undefined)).toThrow(CommandSetupError);
    expect(() => new SparkBot({ actionKey: "" })).toThrow(TypeError);
    expect(bot.actions).toEqual(["a"]);
  });
});
