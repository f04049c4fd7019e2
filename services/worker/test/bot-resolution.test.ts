// BOT_MODULE naming a file anywhere: `@sparkbot/core` resolves to the worker's own copy and
// TypeScript bots load as ES modules, whatever folder they are in. Node's module hooks do not
// apply inside vitest's module runner, so the built worker loads the bots in a child process.
import { spawnSync } from "node:child_process";
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  realpathSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const WORKER_DIR = fileURLToPath(new URL("..", import.meta.url));
const BUILT = join(WORKER_DIR, "dist/index.js");
const BUILT_RESOLUTION = join(WORKER_DIR, "dist/bot-resolution.js");
/** The worker's own copy of @sparkbot/core (a bot folder linking to it shares it). */
const WORKERS_CORE = realpathSync(join(WORKER_DIR, "node_modules/@sparkbot/core"));
const README = fileURLToPath(new URL("../../../README.md", import.meta.url));

/** The code block under the README's "## Writing commands" heading. */
function readmeWritingCommandsExample(): string {
  const readme = readFileSync(README, "utf8");
  const section = readme.slice(readme.indexOf("## Writing commands"));
  const block = /```ts\n([\s\S]*?)```/.exec(section);
  if (block?.[1] === undefined) throw new Error("no ts block under ## Writing commands");
  return block[1];
}

/** Loads each bot with the built worker's `loadBot`, sends it one message, prints the replies. */
const SCRIPT = `
import { loadBot } from ${JSON.stringify(pathToFileURL(BUILT).href)};
import { botResolutionRegistered } from ${JSON.stringify(pathToFileURL(BUILT_RESOLUTION).href)};
import { SparkBot } from "@sparkbot/core";
import { createTestChat } from "@sparkbot/core/testing";
const results = {};
for (const [path, text] of JSON.parse(process.argv[1])) {
  try {
    const bot = await loadBot(path);
    results[path] = {
      replies: await createTestChat(bot).send(text),
      sharesCore: bot instanceof SparkBot,
      hooks: botResolutionRegistered(),
    };
  } catch (error) {
    results[path] = { error: error.message };
  }
}
console.log(JSON.stringify(results));
`;

describe("bot modules outside the worker's package", () => {
  let dir: string;

  const write = (path: string, text: string) => {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), text);
    return join(dir, path);
  };

  function load(cases: [path: string, text: string][]): Record<string, unknown> {
    const result = spawnSync(
      process.execPath,
      ["--input-type=module", "-e", SCRIPT, JSON.stringify(cases)],
      { cwd: WORKER_DIR, encoding: "utf8", timeout: 60_000 },
    );
    expect(result.stderr).toBe("");
    return JSON.parse(result.stdout) as Record<string, unknown>;
  }

  beforeAll(() => {
    if (!existsSync(BUILT)) throw new Error("the worker is not built: run pnpm build");
    dir = mkdtempSync(join(tmpdir(), "sparkbot-bot-resolution-"));
  });

  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("loads the README's example saved as a lone .ts file, with nothing installed beside it", () => {
    const bot = write("loose/my-bot.ts", readmeWritingCommandsExample());
    const results = load([[bot, "testcommand some cool stuff"]]);
    expect(results[bot]).toEqual({ replies: ["some"], sharesCore: true, hooks: true });
  });

  it("loads TypeScript as ES modules in a folder whose package.json has no type, relative imports too", () => {
    write("cjs-project/package.json", JSON.stringify({ name: "cjs-project" }));
    write("cjs-project/words.ts", 'export const word: string = "from a helper";\n');
    const bot = write(
      "cjs-project/bot.ts",
      [
        'import { SparkBot } from "@sparkbot/core";',
        'import { word } from "./words.js";',
        "export const bot = new SparkBot();",
        'bot.command("word", () => word);',
      ].join("\n"),
    );
    expect(load([[bot, "word"]])[bot]).toEqual({
      replies: ["from a helper"],
      sharesCore: true,
      hooks: true,
    });
  });

  it("gives a bot the worker's copy of @sparkbot/core even when its folder has its own", () => {
    write(
      "own-copy/node_modules/@sparkbot/core/package.json",
      JSON.stringify({ name: "@sparkbot/core", type: "module", exports: "./index.js" }),
    );
    write(
      "own-copy/node_modules/@sparkbot/core/index.js",
      'throw new Error("the bot folder\'s own copy was loaded");\n',
    );
    const bot = write(
      "own-copy/bot.mjs",
      'import { SparkBot } from "@sparkbot/core";\nexport default new SparkBot();\n',
    );
    const results = load([[bot, "help"]]);
    expect(results[bot]).toMatchObject({ sharesCore: true, hooks: true });
    expect((results[bot] as { replies: string[] }).replies[0]).toContain("help");
  });

  it("still names BOT_MODULE when a lone file imports what is not there", () => {
    const bot = write("broken/bot.ts", 'import "not-installed-anywhere";\nexport const bot = 1;\n');
    const results = load([[bot, "help"]]);
    expect((results[bot] as { error: string }).error).toMatch(
      /^BOT_MODULE ".*broken\/bot\.ts" could not be loaded: .*not-installed-anywhere/,
    );
  });

  it("imports a JavaScript bot that shares the worker's @sparkbot/core without installing the hooks", () => {
    mkdirSync(join(dir, "shared/node_modules/@sparkbot"), { recursive: true });
    symlinkSync(WORKERS_CORE, join(dir, "shared/node_modules/@sparkbot/core"), "dir");
    const bot = write(
      "shared/bot.mjs",
      'import { SparkBot } from "@sparkbot/core";\nexport const bot = new SparkBot();\nbot.command("hi", () => "hello");\n',
    );
    expect(load([[bot, "hi"]])[bot]).toEqual({
      replies: ["hello"],
      sharesCore: true,
      hooks: false,
    });
  });

  it("imports the default bot (a built package beside the worker) without the hooks", () => {
    const results = load([["@sparkbot/example-bot", "ping"]]);
    expect(results["@sparkbot/example-bot"]).toEqual({
      replies: ["**pong**"],
      sharesCore: true,
      hooks: false,
    });
  });

  it("says to name the .ts entry when a JavaScript bot without the hooks imports TypeScript", () => {
    mkdirSync(join(dir, "mixed/node_modules/@sparkbot"), { recursive: true });
    symlinkSync(WORKERS_CORE, join(dir, "mixed/node_modules/@sparkbot/core"), "dir");
    write("mixed/words.ts", 'export const word: string = "typed";\n');
    const bot = write(
      "mixed/bot.mjs",
      'import { SparkBot } from "@sparkbot/core";\nimport { word } from "./words.ts";\nexport const bot = new SparkBot();\nbot.command("w", () => word);\n',
    );
    expect((load([[bot, "w"]])[bot] as { error: string }).error).toMatch(
      /^BOT_MODULE ".*mixed\/bot\.mjs" could not be loaded: Unknown file extension "\.ts".*point it at the bot's \.ts entry\)$/,
    );
  });
});
