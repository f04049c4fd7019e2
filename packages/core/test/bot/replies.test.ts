import { describe, expect, it } from "vitest";
import {
  ADAPTIVE_CARD_CONTENT_TYPE,
  MAX_REPLY_BYTES,
  ReplyError,
  SparkBot,
  adaptiveCard,
  textBlock,
  toReplies,
} from "../../src/index.js";
import { createTestChat } from "../../src/testing/index.js";

const placement = { defaultParentId: undefined, threadRoot: "root-message" };
const inThread = { defaultParentId: "thread-root", threadRoot: "thread-root" };
const card = adaptiveCard({ body: [textBlock("hello")] });
const attachment = { contentType: ADAPTIVE_CARD_CONTENT_TYPE, content: card };

describe("toReplies", () => {
  it("sends markdown as it is, skips blank values, splits long text alone", () => {
    expect(toReplies("**hi**", placement, "fallback")).toEqual([{ markdown: "**hi**" }]);
    expect(toReplies("  ", placement, "f")).toEqual([]);
    expect(toReplies(null, placement, "f")).toEqual([]);
    expect(toReplies({ markdown: "" }, placement, "f")).toEqual([]);
    expect(toReplies({ text: "plain" }, placement, "f")).toEqual([{ text: "plain" }]);
    const long = `${"a".repeat(MAX_REPLY_BYTES)}\nb`;
    expect(toReplies(long, placement, "f")).toEqual([
      { markdown: "a".repeat(MAX_REPLY_BYTES) },
      { markdown: "b" },
    ]);
  });

  it("sends a card as Webex's attachment, with the author's text or the fallback text", () => {
    expect(toReplies({ card, markdown: "See the card" }, placement, "f")).toEqual([
      { markdown: "See the card", attachments: [attachment] },
    ]);
    expect(toReplies({ card }, placement, "No cards here")).toEqual([
      { markdown: "No cards here", attachments: [attachment] },
    ]);
    expect(toReplies({ attachments: [attachment], text: "t" }, placement, "f")).toEqual([
      { text: "t", attachments: [attachment] },
    ]);
  });

  it("sends one file by URL, with its text", () => {
    const url = "https://example.com/r.pdf";
    expect(toReplies({ file: url, markdown: "The report" }, placement, "f")).toEqual([
      { markdown: "The report", files: [url] },
    ]);
    expect(toReplies({ files: [url] }, placement, "f")).toEqual([{ files: [url] }]);
  });

  it("places replies: where it came from, in the thread, or in the room", () => {
    expect(toReplies("x", inThread, "f")).toEqual([{ markdown: "x", parentId: "thread-root" }]);
    expect(toReplies({ markdown: "x", thread: false }, inThread, "f")).toEqual([{ markdown: "x" }]);
    expect(toReplies({ markdown: "x", thread: true }, placement, "f")).toEqual([
      { markdown: "x", parentId: "root-message" },
    ]);
    const nowhere = { defaultParentId: undefined, threadRoot: undefined };
    expect(() => toReplies({ markdown: "x", thread: true }, nowhere, "f")).toThrow(
      /no message to start a thread/,
    );
    const removed = { ...nowhere, refusal: "removed" };
    expect(() => toReplies("x", removed, "f")).toThrow("removed");
  });

  it("gives the author a clear error for what Webex would refuse", () => {
    const cases: [unknown, RegExp][] = [
      [{ card, file: "https://x.example/a" }, /cannot share one message/],
      [{ card, attachments: [attachment] }, /not both/],
      [{ file: "report.pdf" }, /by its URL/],
      [{ file: "ftp://x.example/a" }, /by its URL/],
      [{ files: ["https://a.example/1", "https://a.example/2"] }, /one file per message/],
      [{ card: { type: "AdaptiveCard", body: [] } }, /Missing Adaptive Card Version/],
      [{ card, markdown: "a".repeat(MAX_REPLY_BYTES + 1) }, /at most 7439/],
      [{ markdwon: "typo" }, /no field "markdwon"/],
      [{ markdown: "x", thread: "yes" }, /"thread" must be true or false/],
      [{ markdown: 5 }, /"markdown" must be a string/],
    ];
    for (const [value, message] of cases) {
      expect(() => toReplies(value, placement, "f")).toThrow(ReplyError);
      expect(() => toReplies(value, placement, "f")).toThrow(message);
    }
    expect(() => toReplies(42, placement, "f")).toThrow(TypeError);
  });
});

describe("replies of a command", () => {
  it("yields cards, files and markdown, stored as Webex keeps them", async () => {
    const bot = new SparkBot().command("report", async function* () {
      yield "Working on it";
      yield { card, markdown: "The summary card" };
      yield { file: "https://example.com/r.pdf", markdown: "The full report", thread: true };
    });
    const chat = createTestChat(bot);
    const run = await chat.run("report");
    expect(run.replies).toEqual(["Working on it", "The summary card", "The full report"]);
    expect(run.cards).toEqual([card]);
    expect(run.sent[1]?.attachments).toEqual([attachment]);
    expect(run.sent[2]?.files).toEqual(["https://example.com/r.pdf"]);
    const written = chat.webex.messageList.find((m) => m.text === "report");
    expect(run.sent[2]?.parentId).toBe(written?.id);
    expect(run.sent[0]?.parentId).toBeUndefined();
  });

  it("answers in the thread a command was written in, unless told the room", async () => {
    const bot = new SparkBot()
      .command("here", () => "here")
      .command("out", () => ({ markdown: "out", thread: false }));
    const chat = createTestChat(bot);
    const root = chat.write("a root message");
    expect((await chat.run("here", { parentId: root.id })).sent[0]?.parentId).toBe(root.id);
    expect((await chat.run("out", { parentId: root.id })).sent[0]?.parentId).toBeUndefined();
  });

  it("a card Webex would refuse ends the run with the internal error and the reason", async () => {
    const bot = new SparkBot().command("bad", () => ({ card: { type: "AdaptiveCard" } }));
    const run = await createTestChat(bot).run("bad");
    expect(run.outcome).toBe("error");
    expect(run.replies).toEqual([bot.texts.internalError]);
    expect(run.error).toBeInstanceOf(ReplyError);
    expect(String(run.error)).toContain("Missing Adaptive Card Version");
  });

  it("middleware can answer with a card", async () => {
    const bot = new SparkBot()
      .use(async (ctx, next) => {
        if (ctx.name === "menu") return ctx.reply({ card, markdown: "menu" });
        await next();
      })
      .command("menu", () => "never");
    expect((await createTestChat(bot).run("menu")).cards).toEqual([card]);
  });
});
