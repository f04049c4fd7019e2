import { parse } from "shell-quote";
import { describe, expect, test } from "vitest";
import { tokenize } from "../../src/commandline/tokenize.js";

// A second opinion for `tokenize`: on inputs made only of letters, blanks, quotes and
// backslashes, a POSIX shell word splitter and Python's shlex agree, so `shell-quote`'s parser
// (an independent implementation) must give the same tokens. Outside that alphabet the two
// differ on purpose ($VAR, #, operators: see tokenize.ts), which the shlex vectors cover.

/** A small deterministic PRNG (mulberry32), so every run checks the same inputs. */
function random(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const ALPHABET = ["a", "b", "é", " ", " ", "\t", "'", '"', "\\"];

function inputs(count: number): string[] {
  const next = random(2024);
  return Array.from({ length: count }, () => {
    const length = Math.floor(next() * 14);
    return Array.from({ length }, () => ALPHABET[Math.floor(next() * ALPHABET.length)]).join("");
  });
}

/** shell-quote's tokens when they are all plain strings (no operators, comments or globs). */
function oracle(text: string): string[] {
  return parse(text).map((entry) => {
    if (typeof entry !== "string") throw new Error(`unexpected ${JSON.stringify(entry)}`);
    return entry;
  });
}

describe("tokenize agrees with shell-quote on quotes, blanks and backslashes", () => {
  const cases = inputs(3000);
  const balanced = cases.filter((text) => {
    try {
      tokenize(text);
      return true;
    } catch {
      return false;
    }
  });

  test("the generated inputs exercise both balanced and unbalanced lines", () => {
    expect(balanced.length).toBeGreaterThan(500);
    expect(cases.length - balanced.length).toBeGreaterThan(500);
  });

  test("every balanced input splits the same way", () => {
    const disagreements = balanced
      .map((text) => ({ text, ours: tokenize(text), theirs: oracle(text) }))
      .filter(({ ours, theirs }) => JSON.stringify(ours) !== JSON.stringify(theirs));
    expect(disagreements.slice(0, 5)).toEqual([]);
  });
});
