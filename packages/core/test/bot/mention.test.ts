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
    expect(stripMention({ text, html, roomType: "group" }, self)).toBe(" help ping");
  });

  test("ignores mentions of other people and of groups in the html", () => {
    const other = fakeWebexId("PEOPLE");
    const html = `<p>${mention(other, "Alice")} <spark-mention data-object-type="groupMention" data-group-type="all">All</spark-mention></p>`;
    expect(mentionTextFor(html, self.id)).toBeUndefined();
    expect(stripMention({ text: "Alice ping", html, roomType: "group" }, self)).toBe("Alice ping");
  });

  test("falls back to the display name, or its first word, at the start of the text", () => {
    expect(stripMention({ text: "Spark Bot ping", roomType: "group" }, self)).toBe(" ping");
    expect(stripMention({ text: "spark ping", roomType: "group" }, self)).toBe(" ping");
    expect(stripMention({ text: "  Spark\tping", roomType: "group" }, self)).toBe("\tping");
    expect(stripMention({ text: "Spark", roomType: "group" }, self)).toBe("");
    expect(stripMention({ text: "Sparkle ping", roomType: "group" }, self)).toBe("Sparkle ping");
  });

  test("a name followed by a non-breaking space is one word, as for shlex", () => {
    expect(stripMention({ text: "Spark\u00a0ping", roomType: "group" }, self)).toBe(
      "Spark\u00a0ping",
    );
  });

  test("removes nothing else: no trimming, escaped and non-breaking spaces stay", () => {
    const html = `<p>${mention(self.id, "Spark")} args a\\ </p>`;
    expect(stripMention({ text: "Spark args a\\ ", html, roomType: "group" }, self)).toBe(
      " args a\\ ",
    );
    expect(stripMention({ text: "ping\u00a0", roomType: "direct" }, self)).toBe("ping\u00a0");
    expect(stripMention({ text: " ping ", roomType: "direct" }, self)).toBe(" ping ");
  });

  test("removes the name in a direct room too, unless its first word is a command", () => {
    expect(stripMention({ text: "Spark ping", roomType: "direct" }, self)).toBe(" ping");
    expect(stripMention({ text: "Spark Bot ping", roomType: "direct" }, self)).toBe(" ping");
    const isCommand = (word: string): boolean => word.toLowerCase() === "spark";
    expect(stripMention({ text: "spark it", roomType: "direct" }, self, isCommand)).toBe(
      "spark it",
    );
    // In a group room the name at the start is the mention, whatever commands exist.
    expect(stripMention({ text: "Spark it", roomType: "group" }, self, isCommand)).toBe(" it");
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

describe("the command line, as the original splits it", () => {
  const echo = (): SparkBot =>
    new SparkBot().command("args", ({ commandline }) => JSON.stringify(commandline));

  test.each(["direct", "group"] as const)(
    "an escaped trailing space is kept (%s)",
    async (room) => {
      expect(await createTestChat(echo()).send("args a\\ ", { roomType: room })).toEqual([
        '["args","a "]',
      ]);
    },
  );

  test("a trailing non-breaking space stays part of the word", async () => {
    expect(await createTestChat(echo()).send("args a\u00a0")).toEqual(['["args","a\u00a0"]']);
    // ...so, as in the original, "args\u00a0" is not the command "args".
    expect(await createTestChat(echo()).run("args\u00a0")).toMatchObject({ outcome: "not_found" });
  });

  test("the bot's display name typed first is removed in a direct room", async () => {
    const bot = echo().fallback(({ commandline }) => `fallback ${JSON.stringify(commandline)}`);
    const chat = createTestChat(bot, { bot: { displayName: "MyBot" } });
    expect(await chat.send("MyBot args x")).toEqual(['["args","x"]']);
    expect(await chat.send("mybot what now")).toEqual(['fallback ["what","now"]']);
    expect(await chat.run("MyBot")).toMatchObject({ outcome: "empty" });
  });

  test("a command named like the bot still runs in a direct room", async () => {
    const bot = new SparkBot().command("echo", ({ commandline }) => commandline.slice(1).join(" "));
    const chat = createTestChat(bot, { bot: { displayName: "Echo" } });
    expect(await chat.send("echo hi")).toEqual(["hi"]);
    expect(await chat.send("Echo echo hi")).toEqual(["echo hi"]);
    expect(await chat.send("echo hi", { roomType: "group" })).toEqual(["hi"]);
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
