import { describe, expect, it } from "vitest";
import { jsonDepth } from "../src/http/json-depth.js";

describe("jsonDepth", () => {
  const depthOf = (text: string) => jsonDepth(Buffer.from(text), 1_000_000);

  it("counts nesting of objects and arrays, not brackets in strings or escapes", () => {
    expect(depthOf("{}")).toBe(1);
    expect(depthOf('{"a":[1,{"b":[]}]}')).toBe(4);
    expect(depthOf('{"a":"[[[{{{"}')).toBe(1);
    expect(depthOf('{"a":"\\"[[["}')).toBe(1);
    expect(depthOf('"just a string"')).toBe(0);
  });

  it("stops counting past the limit, so a 100,000-deep body costs no more than its bytes", () => {
    const deep = Buffer.from(`${"[".repeat(100_000)}${"]".repeat(100_000)}`);
    expect(jsonDepth(deep, 32)).toBe(33);
    expect(jsonDepth(deep, 1_000_000)).toBe(100_000);
  });
});
