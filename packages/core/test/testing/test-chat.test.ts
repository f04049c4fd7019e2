import { describe, expect, test } from "vitest";
import { SparkBot, WebexApiError, type CommandRun } from "@sparkbot/core";
import { InMemoryWebex, createTestChat, webhookEventFor } from "@sparkbot/core/testing";

describe("createTestChat", () => {
  test("stores the user's message and the bot's replies in the room", async () => {
    const bot = new SparkBot().command("two", function* () {
      yield "one";
      yield "two";
    });
    const chat = createTestChat(bot);
    expect(await chat.send("two")).toEqual(["one", "two"]);
    const stored = await chat.webex.messages.list({ roomId: chat.directRoom.id });
    expect(stored.map((message) => message.markdown ?? message.text)).toEqual([
      "two",
      "one",
      "two",
    ]);
    expect(stored[0]?.personId).toBe(chat.self.id);
    expect(stored[2]?.personId).toBe(chat.user.id);
  });

  test("group messages carry the bot's mention in text, html and mentionedPeople", () => {
    const chat = createTestChat(new SparkBot(), { bot: { displayName: "Big <Bot>" } });
    const message = chat.write("ping", { roomType: "group" });
    expect(message.roomType).toBe("group");
    expect(message.text).toBe("Big ping");
    expect(message.html).toContain(`data-object-id="${chat.self.id}">Big</spark-mention> ping`);
    expect(message.mentionedPeople).toEqual([chat.self.id]);
  });

  test("another person can write, and the webhook event matches the message", async () => {
    const bot = new SparkBot().command("whoami", async ({ caller }) => (await caller).displayName);
    const chat = createTestChat(bot);
    const grace = chat.webex.addPerson({ displayName: "Grace Hopper" });
    expect(await chat.send("whoami", { from: grace })).toEqual(["Grace Hopper"]);
    const message = chat.write("x");
    const event = webhookEventFor(message);
    expect(event).toMatchObject({
      resource: "messages",
      event: "created",
      data: { id: message.id, roomId: message.roomId, personId: chat.user.id, roomType: "direct" },
    });
  });

  test("bot.run works directly with the in-memory client", async () => {
    const chat = createTestChat(new SparkBot().command("ping", () => "**pong**"));
    const message = chat.write("ping");
    const run: CommandRun = new SparkBot()
      .command("ping", () => "pong!")
      .run({ message, event: webhookEventFor(message), self: chat.self, webex: chat.webex });
    expect(run.command).toBeUndefined();
    const replies = [];
    for await (const reply of run) replies.push(reply);
    expect(replies).toEqual([{ markdown: "pong!" }]);
    expect(run).toMatchObject({ command: "ping", outcome: "ok" });
  });
});

describe("InMemoryWebex", () => {
  test("missing objects reject with a 404 WebexApiError", async () => {
    const webex = new InMemoryWebex();
    for (const call of [
      () => webex.people.get("nope"),
      () => webex.rooms.get("nope"),
      () => webex.messages.get("nope"),
      () => webex.messages.create({ roomId: "nope", markdown: "x" }),
      () => webex.webhooks.get("nope"),
      () => webex.attachmentActions.get("nope"),
    ]) {
      const error = await call().then(
        () => undefined,
        (reason: unknown) => reason,
      );
      expect(error).toBeInstanceOf(WebexApiError);
      expect((error as WebexApiError).status).toBe(404);
    }
  });

  test("people.me is the bot, and lists filter and limit", async () => {
    const webex = new InMemoryWebex({ displayName: "Robo" });
    expect((await webex.people.me()).displayName).toBe("Robo");
    webex.addPerson({ displayName: "Ann One" });
    webex.addPerson({ displayName: "Ann Two" });
    expect(await webex.people.list({ displayName: "ann" })).toHaveLength(2);
    expect(await webex.people.list({ displayName: "ann" }, { limit: 1 })).toHaveLength(1);
  });

  test("messages to a person open a direct room; webhooks can be managed", async () => {
    const webex = new InMemoryWebex();
    const ann = webex.addPerson({ displayName: "Ann" });
    const sent = await webex.messages.create({ toPersonId: ann.id, markdown: "hi" });
    expect((await webex.rooms.get(sent.roomId)).type).toBe("direct");
    const again = await webex.messages.create({ toPersonId: ann.id, markdown: "again" });
    expect(again.roomId).toBe(sent.roomId);
    await webex.messages.remove(sent.id);
    expect(await webex.messages.list({ roomId: sent.roomId })).toHaveLength(1);

    const hook = await webex.webhooks.create({
      name: "bot",
      targetUrl: "http://x/sparkbot",
      resource: "messages",
      event: "created",
    });
    await webex.webhooks.update(hook.id, { name: "renamed", targetUrl: "http://y" });
    expect((await webex.webhooks.get(hook.id)).name).toBe("renamed");
    await webex.webhooks.remove(hook.id);
    expect(await webex.webhooks.list()).toEqual([]);
  });
});
