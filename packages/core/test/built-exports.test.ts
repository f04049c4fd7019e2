import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, test } from "vitest";

// What a bot author gets from `npm install @sparkbot/core`: the built ESM output and its types,
// through the package's `exports` (no "source" condition, unlike the rest of the tests).
const CORE = fileURLToPath(new URL("..", import.meta.url));
const EXAMPLE = fileURLToPath(new URL("../../../examples/example-bot", import.meta.url));

const script = `
import { SparkBot, tokenize, CommandError } from "@sparkbot/core";
import { createTestChat } from "@sparkbot/core/testing";
const bot = new SparkBot();
bot.command("say", ({ commandline }) => commandline.slice(1).join("|"));
bot.command("fail", () => { throw new CommandError("nope"); });
const chat = createTestChat(bot);
console.log(JSON.stringify({
  tokens: tokenize("a 'b c' d\\\\ e"),
  say: await chat.send('say "two words" x'),
  fail: await chat.send("fail"),
}));
`;

describe("the built package", () => {
  test("imports SparkBot, tokenize and the test harness from dist, with .d.ts beside them", () => {
    if (!existsSync(`${CORE}/dist/index.js`)) throw new Error("core is not built: run pnpm build");
    for (const file of ["dist/index.d.ts", "dist/testing/index.js", "dist/testing/index.d.ts"]) {
      expect(existsSync(`${CORE}/${file}`), file).toBe(true);
    }
    // Run from a package that depends on @sparkbot/core, as a bot author's package would.
    const result = spawnSync(process.execPath, ["--input-type=module", "-e", script], {
      cwd: EXAMPLE,
      encoding: "utf8",
      timeout: 20_000,
    });
    expect(result.stderr).toBe("");
    expect(JSON.parse(result.stdout)).toEqual({
      tokens: ["a", "b c", "d e"],
      say: ["two words|x"],
      fail: ["⚠️ Error: nope"],
    });
  });
});
