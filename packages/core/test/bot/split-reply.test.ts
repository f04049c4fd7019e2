import { describe, expect, test } from "vitest";
import { MAX_REPLY_BYTES, splitReply } from "@sparkbot/core";

const bytes = (text: string): number => Buffer.byteLength(text, "utf8");

describe("splitReply", () => {
  test("keeps a reply within the limit whole", () => {
    const text = "a".repeat(MAX_REPLY_BYTES);
    expect(splitReply(text)).toEqual([text]);
  });

  test("splits at line boundaries and loses no line", () => {
    const lines = Array.from({ length: 400 }, (_, i) => `line ${i} ${"x".repeat(40)}`);
    const text = lines.join("\n");
    const chunks = splitReply(text);
    expect(chunks.length).toBeGreaterThan(1);
    for (const chunk of chunks) expect(bytes(chunk)).toBeLessThanOrEqual(MAX_REPLY_BYTES);
    expect(chunks.join("\n")).toBe(text);
    expect(chunks.flatMap((chunk) => chunk.split("\n"))).toEqual(lines);
  });

  test("cuts an over-long line between characters, never inside one", () => {
    const line = "🚀é".repeat(3000);
    const chunks = splitReply(line);
    for (const chunk of chunks) {
      expect(bytes(chunk)).toBeLessThanOrEqual(MAX_REPLY_BYTES);
      expect(chunk).not.toMatch(/\uFFFD/);
      expect(Buffer.from(chunk, "utf8").toString("utf8")).toBe(chunk);
      expect(chunk).not.toMatch(
        /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/,
      );
    }
    expect(chunks.join("")).toBe(line);
  });

  test("honours a smaller limit exactly", () => {
    expect(splitReply("ab\ncd\nef", 5)).toEqual(["ab\ncd", "ef"]);
    expect(splitReply("abcdefg", 3)).toEqual(["abc", "def", "g"]);
    expect(splitReply("ééé", 4)).toEqual(["éé", "é"]);
  });
});
