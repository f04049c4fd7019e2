import { ADAPTIVE_CARD_CONTENT_TYPE, type Message } from "@sparkbot/core";
import { describe, expect, it } from "vitest";
import { containsJson, sameContent } from "../src/index.js";

const card = { type: "AdaptiveCard", version: "1.3", body: [{ type: "TextBlock", text: "hi" }] };
const message = (extra: Partial<Message>): Message => ({
  id: "m",
  roomId: "r",
  personId: "bot",
  personEmail: "bot@webex.bot",
  created: "2024-05-20T10:00:00.000Z",
  ...extra,
});

describe("sameContent: is this bot message the one an unsure send created?", () => {
  it("compares markdown, or the text of a text reply, and the thread", () => {
    expect(sameContent(message({ markdown: "**x**", text: "x" }), { markdown: "**x**" })).toBe(
      true,
    );
    expect(sameContent(message({ markdown: "**y**" }), { markdown: "**x**" })).toBe(false);
    expect(sameContent(message({ text: "plain" }), { text: "plain" })).toBe(true);
    expect(sameContent(message({ markdown: "x", parentId: "t" }), { markdown: "x" })).toBe(false);
    expect(
      sameContent(message({ markdown: "x", parentId: "t" }), { markdown: "x", parentId: "t" }),
    ).toBe(true);
  });

  it("compares cards field by field, tolerating what Webex adds", () => {
    const sent = {
      markdown: "f",
      attachments: [{ contentType: ADAPTIVE_CARD_CONTENT_TYPE, content: card }],
    };
    const kept = {
      contentType: ADAPTIVE_CARD_CONTENT_TYPE,
      content: { ...card, $schema: "added" },
    };
    expect(sameContent(message({ markdown: "f", attachments: [kept] }), sent)).toBe(true);
    const other = { contentType: ADAPTIVE_CARD_CONTENT_TYPE, content: { ...card, body: [] } };
    expect(sameContent(message({ markdown: "f", attachments: [other] }), sent)).toBe(false);
    expect(sameContent(message({ markdown: "f" }), sent)).toBe(false);
    expect(sameContent(message({ markdown: "f", attachments: [kept] }), { markdown: "f" })).toBe(
      false,
    );
  });

  it("counts files: Webex answers with its own URLs for them", () => {
    const reply = { markdown: "r", files: ["https://example.com/a.pdf"] };
    expect(
      sameContent(
        message({ markdown: "r", files: ["https://webexapis.com/v1/contents/x"] }),
        reply,
      ),
    ).toBe(true);
    expect(sameContent(message({ markdown: "r" }), reply)).toBe(false);
  });

  it("containsJson: every field of the part, lists of the same length", () => {
    expect(containsJson({ a: 1, b: [1, { c: 2, d: 3 }] }, { b: [1, { c: 2 }] })).toBe(true);
    expect(containsJson({ b: [1, 2, 3] }, { b: [1, 2] })).toBe(false);
    expect(containsJson({ a: "1" }, { a: 1 })).toBe(false);
    expect(containsJson([1], { 0: 1 })).toBe(false);
  });
});
