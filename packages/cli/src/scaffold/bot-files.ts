/*
 * The source files of a new bot project (`sparkbot new`): the same in this repository and
 * outside it. They are formatted as the repository's Prettier settings format them, so a bot
 * created inside the repository passes its lint as it is.
 */

/** `src/bot.ts`: a bot with a plain, an argument-checking and a streaming command. */
export const BOT_SOURCE = `import { setTimeout as sleep } from "node:timers/promises";
import { CommandError, SparkBot, minargs } from "@sparkbot/core";

/** The bot: each \`bot.command(...)\` is a command its users can type. */
export const bot = new SparkBot();

bot.command(
  "ping",
  {
    help: \`
      Checks that the bot is running.

      Usage: \\\`ping\\\`
      \`,
  },
  () => "**pong**",
);

bot.command(
  ["echo", "repeat"], // several names: aliases of one command
  {
    help: \`
      Repeats what you typed.

      Usage: \\\`echo <words>\\\`
      \`,
  },
  ({ commandline }) => {
    // commandline is the message split like a shell would: ["echo", "some", "words"]
    if (!minargs(1, commandline)) throw new CommandError("Tell me what to repeat: \`echo <words>\`");
    return commandline.slice(1).join(" ");
  },
);

bot.command(
  "progress",
  {
    help: \`
      Replies at once, works for a moment, then replies again.

      Usage: \\\`progress\\\`
      \`,
  },
  async function* ({ signal }) {
    yield "working on it"; // reaches the room now
    await sleep(500, undefined, { signal }); // signal: the command's timeout or shutdown
    yield "**done**";
  },
);
`;

/** `test/bot.test.ts`: unit tests of the commands with core's in-memory harness. */
export const BOT_TEST = `import { describe, expect, it } from "vitest";
import { createTestChat } from "@sparkbot/core/testing";
import { bot } from "../src/bot.js";

// createTestChat runs the bot against an in-memory Webex: no Redis, no network.
describe("the bot", () => {
  it("answers ping, in a direct room and in a group room where it is @mentioned", async () => {
    const chat = createTestChat(bot);
    expect(await chat.send("ping")).toEqual(["**pong**"]);
    expect(await chat.send("ping", { roomType: "group" })).toEqual(["**pong**"]);
  });

  it("repeats what it is told, quotes kept together", async () => {
    const chat = createTestChat(bot);
    expect(await chat.send('echo "two words" and more')).toEqual(["two words and more"]);
    expect(await chat.send("repeat this")).toEqual(["this"]);
  });

  it("says what is missing when echo gets no words", async () => {
    const chat = createTestChat(bot);
    expect(await chat.send("echo")).toEqual(["⚠️ Error: Tell me what to repeat: \`echo <words>\`"]);
  });

  it("sends each reply of progress as it is yielded", async () => {
    const chat = createTestChat(bot);
    const replies: string[] = [];
    for await (const reply of chat.stream("progress")) replies.push(reply);
    expect(replies).toEqual(["working on it", "**done**"]);
  });

  it("lists its commands in help", async () => {
    const chat = createTestChat(bot);
    const [help] = await chat.send("help");
    expect(help).toContain("echo, repeat");
    expect(help).toContain("progress");
  });
});
`;

/** `.gitignore` of a project outside the repository. */
export const GITIGNORE = `node_modules/
.sparkbot/
`;

/** `tsconfig.json` of a project outside the repository: standalone, strict. */
export const STANDALONE_TSCONFIG = `{
  "compilerOptions": {
    "target": "ES2022",
    "lib": ["ES2023"],
    "module": "NodeNext",
    "moduleResolution": "NodeNext",
    "strict": true,
    "noUncheckedIndexedAccess": true,
    "skipLibCheck": true,
    "isolatedModules": true,
    "verbatimModuleSyntax": true,
    "noEmit": true,
    "types": ["node"]
  },
  "include": ["src", "test"]
}
`;

/** `tsconfig.json` of a workspace bot (`bots/<name>`): the repository's settings, on sources. */
export const WORKSPACE_TSCONFIG = `{
  "extends": "../../tsconfig.base.json",
  "compilerOptions": { "noEmit": true, "rootDir": "../..", "customConditions": ["source"] },
  "include": ["src", "test"]
}
`;

/**
 * `vitest.config.ts` of a workspace bot: without it, vitest run in the bot's folder would take
 * the repository's config from the folder above. Its tests run on core's sources, as the
 * repository's own tests do (the repository's `npm test` runs them too, with its own config).
 */
export const WORKSPACE_VITEST_CONFIG = `import { defineConfig } from "vitest/config";

const conditions = ["source", "module", "node", "development|production"];

export default defineConfig({
  resolve: { conditions },
  ssr: { resolve: { conditions } },
  test: { include: ["test/**/*.test.ts"] },
});
`;
