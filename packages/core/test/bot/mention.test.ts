import { describe, expect, test } from "vitest";
import { SparkBot, mentionTextFor, sameWebexId, stripMention } from "@sparkbot/core";
import { createTestChat, fakeWebexId } from "@sparkbot/core/testing";

const uuid = "7d2a4c1e-1111-4222-8333-944455556666";
const self = {
  id: Buffer.from(`ciscospark://us/PEOPLE/${uuid}`).toString("base64").replace(/=+$/, ""),
  displayName: "Spark Bot",
};
const mention = (id: string, name: string): string =>
  `<spark-mention data-object-type="person" data-object-id="${id}">${name}</spark-mention>`;

describe("stripMention", () => {
  test.each([
    [
      "the full multi-word name",
      "Spark Bot help ping",
      `<p>${mention(self.id, "Spark Bot")} help ping</p>`,
    ],
    ["a shortened name", "Spark help ping", `<p>${mention(self.id, "Spark")} help ping</p>`],
    [
      "a name with entities",
      "O'Bot & Co help ping",
      `<p>${mention(self.id, "O&#39;Bot &amp; Co")} help ping</p>`,
    ],
    ["the uuid form of the id", "Sparky help ping", `<p>${mention(uuid, "Sparky")} help ping</p>`],
    [
      "single-quoted attributes",
      "Sp help ping",
      `<p><spark-mention data-object-id='${self.id}'>Sp</spark-mention> help ping</p>`,
    ],
  ])("uses the html mention: %s", (_label, text, html) => {
    expect(stripMention({ text, html, roomType: "group" }, self)).toBe("help ping");
  });

  test("ignores mentions of other people and of groups in the html", () => {
    const other = fakeWebexId("PEOPLE");
    const html = `<p>${mention(other, "Alice")} <spark-mention data-object-type="groupMention" data-group-type="all">All</spark-mention></p>`;
    expect(mentionTextFor(html, self.id)).toBeUndefined();
    expect(stripMention({ text: "Alice ping", html, roomType: "group" }, self)).toBe("Alice ping");
  });

  test("falls back to the display name, or its first word, at the start of the text", () => {
    expect(stripMention({ text: "Spark Bot ping", roomType: "group" }, self)).toBe("ping");
    expect(stripMention({ text: "spark ping", roomType: "group" }, self)).toBe("ping");
    expect(stripMention({ text: "Sparkle ping", roomType: "group" }, self)).toBe("Sparkle ping");
  });

  test("does not strip a name in a direct room without a mention", () => {
    expect(stripMention({ text: "Spark ping", roomType: "direct" }, self)).toBe("Spark ping");
  });

  test("leaves a mention that is not at the start", () => {
    const html = `<p>please ${mention(self.id, "Spark")} ping</p>`;
    expect(stripMention({ text: "please Spark ping", html, roomType: "group" }, self)).toBe(
      "please Spark ping",
    );
  });

  test("sameWebexId compares base64 and uuid forms", () => {
    expect(sameWebexId(self.id, uuid)).toBe(true);
    expect(sameWebexId(self.id, uuid.toUpperCase())).toBe(true);
    expect(sameWebexId(self.id, fakeWebexId("PEOPLE"))).toBe(false);
    expect(sameWebexId("abc", "abd")).toBe(false);
  });
});

describe("commands in group rooms", () => {
  test("the bot's mention is stripped before splitting", async () => {
    const bot = new SparkBot().command("echo", ({ commandline }) => commandline.join("|"));
    const chat = createTestChat(bot, { bot: { displayName: "Helpful Robot" }, roomType: "group" });
    expect(await chat.send('echo "a b" c')).toEqual(["echo|a b|c"]);
    expect(chat.groupRoom.type).toBe("group");
  });

  test("a group message without a mention is still read", async () => {
    const bot = new SparkBot().command("echo", ({ commandline }) => commandline.join("|"));
    const chat = createTestChat(bot);
    expect(await chat.send("echo x", { roomType: "group", mention: false })).toEqual(["echo|x"]);
  });
});
