import { readFileSync } from "node:fs";
import { describe, expect, test } from "vitest";
import { CommandLineError, tokenize } from "@sparkbot/core";

interface ShlexCase {
  input: string;
  tokens?: string[];
  error?: string;
}

const vectorsUrl = new URL("./shlex-vectors.json", import.meta.url);
const cases = (JSON.parse(readFileSync(vectorsUrl, "utf8")) as { cases: ShlexCase[] }).cases;

describe("tokenize", () => {
  test("reads all 160 vectors", () => {
    expect(cases).toHaveLength(160);
  });

  test.each(cases.map((c, index) => [index, JSON.stringify(c.input), c] as const))(
    "vector %i: %s",
    (_index, _label, vector) => {
      if (vector.error !== undefined) {
        let thrown: unknown;
        try {
          tokenize(vector.input);
        } catch (error) {
          thrown = error;
        }
        expect(thrown).toBeInstanceOf(CommandLineError);
        expect((thrown as CommandLineError).reason).toBe(vector.error);
        expect((thrown as CommandLineError).message.endsWith(vector.error)).toBe(true);
      } else {
        expect(tokenize(vector.input)).toEqual(vector.tokens);
      }
    },
  );
});
