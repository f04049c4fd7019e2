import {
  BOT_SOURCE,
  BOT_TEST,
  GITIGNORE,
  STANDALONE_TSCONFIG,
  WORKSPACE_TSCONFIG,
  WORKSPACE_VITEST_CONFIG,
} from "./bot-files.js";

/**
 * Where a new bot lives: `workspace` is `bots/<name>` inside the SparkBot repository (a workspace
 * package on the repository's own sources); `standalone` is a project of its own anywhere else,
 * depending on the published packages.
 */
export type ProjectKind = "workspace" | "standalone";

/** What the files of a new bot project depend on. */
export interface ProjectSpec {
  /** The package name (`my-bot` or `@me/my-bot`). */
  name: string;
  kind: ProjectKind;
  /** For `workspace`: the project's path from the repository root (`bots/my-bot`). */
  workspacePath?: string;
  /** For `standalone`: the version range of the @sparkbot packages (e.g. `^0.1.0`). */
  sparkbotRange: string;
}

/** Versions of the tools a standalone project installs, the ones this repository uses. */
const TOOL_RANGES = { typescript: "~5.9.3", vitest: "^3.2.4", "@types/node": "^20.19.0" };

/** Every file of the project, by path relative to the project's directory. */
export function projectFiles(spec: ProjectSpec): Record<string, string> {
  const files: Record<string, string> = {
    "package.json": `${JSON.stringify(packageJson(spec), null, 2)}\n`,
    "README.md": readme(spec),
    "src/bot.ts": BOT_SOURCE,
    "test/bot.test.ts": BOT_TEST,
    "tsconfig.json": spec.kind === "workspace" ? WORKSPACE_TSCONFIG : STANDALONE_TSCONFIG,
  };
  if (spec.kind === "standalone") files[".gitignore"] = GITIGNORE;
  if (spec.kind === "workspace") files["vitest.config.ts"] = WORKSPACE_VITEST_CONFIG;
  return files;
}

function packageJson(spec: ProjectSpec): Record<string, unknown> {
  const base = { name: spec.name, version: "0.1.0", private: true, type: "module" };
  if (spec.kind === "workspace") {
    const path = spec.workspacePath ?? `bots/${spec.name}`;
    return {
      ...base,
      scripts: {
        // The repository's own commands, run from its root: they install and build first.
        dev: `cd ../.. && npm run dev -- --bot ${path}/src/bot.ts`,
        say: "cd ../.. && npm run -s sparkbot -- say",
        test: "vitest run",
        typecheck: "tsc -p tsconfig.json",
      },
      dependencies: { "@sparkbot/core": "workspace:*" },
    };
  }
  return {
    ...base,
    scripts: {
      dev: "sparkbot dev --bot src/bot.ts",
      say: "sparkbot say",
      test: "vitest run",
      typecheck: "tsc",
    },
    dependencies: { "@sparkbot/core": spec.sparkbotRange },
    devDependencies: { "@sparkbot/cli": spec.sparkbotRange, ...TOOL_RANGES },
  };
}

function readme(spec: ProjectSpec): string {
  const install =
    spec.kind === "workspace"
      ? "It is a package of the SparkBot repository's workspace: the repository's `npm run setup`\n(run by `npm run dev` and `npm test` at its root) installs and builds what it needs."
      : "```sh\nnpm install\n```";
  const deploy =
    spec.kind === "workspace"
      ? "the repository's README (Deploying): mount this folder into the worker and set\n`BOT_MODULE` to its `src/bot.ts`."
      : "SparkBot's README (Deploying). The services are `@sparkbot/receiver`\n(`sparkbot-receiver`) and `@sparkbot/worker` (`sparkbot-worker`, with `BOT_MODULE=src/bot.ts`).";
  return `# ${spec.name}

A bot for [Cisco Webex](https://developer.webex.com) made with SparkBot (\`sparkbot new\`).

| File | What it is |
| --- | --- |
| \`src/bot.ts\` | The bot: its commands (\`ping\`, \`echo\`, \`progress\`). Add yours with \`bot.command(...)\`. |
| \`test/bot.test.ts\` | Unit tests of the commands with \`@sparkbot/core/testing\`: no Redis, no network. |

${install}

## Commands

\`\`\`sh
npm test              # the unit tests (vitest)
npm run typecheck     # TypeScript, strict
npm run dev           # the whole system locally: Redis, a local Webex, receiver, worker, this bot
npm run say -- ping   # from another terminal while dev runs: prints the bot's replies
\`\`\`

\`npm run dev\` prints a chat page to talk to the bot in a browser. To run it against real Webex,
set the bot's token and the public URL Webex should send its webhooks to:

\`\`\`sh
WEBEX_ACCESS_TOKEN=... WEBHOOK_URL=https://bot.example.com npm run dev
\`\`\`

## Deploying

See ${deploy}
`;
}
