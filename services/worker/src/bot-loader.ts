import { isAbsolute, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { ConfigError } from "@sparkbot/core";
import { isRunnableBot, type RunnableBot } from "./bot-contract.js";
import { TYPESCRIPT, botModuleUrl, botNeedsHooks } from "./bot-hooks-need.js";
import { registerBotResolution } from "./bot-resolution.js";

/** The bot run when `BOT_MODULE` is unset: the example bot of this repository. */
export const DEFAULT_BOT_MODULE = "@sparkbot/example-bot";

/**
 * Loads the author's bot module: a file path (relative to `cwd`; `.ts` files are compiled on the
 * fly by tsx) or a package name. The module must export the bot as `bot` or as its default
 * export. Its `@sparkbot/core` imports resolve to the worker's own copy (see bot-resolution.ts),
 * so a bot file loads from any folder; those hooks are installed only when the bot needs them
 * (bot-hooks-need.ts). Every failure is a `ConfigError` naming `BOT_MODULE` with one line saying
 * what is wrong.
 */
export async function loadBot(
  specifier: string | undefined,
  cwd: string = process.cwd(),
): Promise<RunnableBot> {
  const target = specifier ?? DEFAULT_BOT_MODULE;
  const url = looksLikePath(target) ? pathToFileURL(resolve(cwd, target)).href : target;
  if (botNeedsHooks(botModuleUrl(url))) await registerBotResolution();
  let exports: Record<string, unknown>;
  try {
    exports = await importModule(url);
  } catch (error) {
    throw new ConfigError(
      "BOT_MODULE",
      `BOT_MODULE "${target}" could not be loaded: ${why(error)}`,
    );
  }
  const bot = exports["bot"] ?? exports["default"];
  if (!isRunnableBot(bot)) {
    throw new ConfigError(
      "BOT_MODULE",
      `BOT_MODULE "${target}" must export a SparkBot as \`bot\` or as its default export`,
    );
  }
  return bot;
}

/** The first line of an import failure, with a hint for TypeScript imported from JavaScript. */
function why(error: unknown): string {
  const reason = (error instanceof Error ? error.message.split("\n")[0] : String(error)) ?? "";
  const code = (error as { code?: unknown } | null)?.code;
  // Node's message: Unknown file extension ".ts" for /path/to/file.ts
  const file = / for (.+)$/.exec(reason)?.[1];
  if (code !== "ERR_UNKNOWN_FILE_EXTENSION" || file === undefined || !TYPESCRIPT.test(file))
    return reason;
  return `${reason} (TypeScript is compiled when BOT_MODULE names a .ts file: point it at the bot's .ts entry)`;
}

function looksLikePath(specifier: string): boolean {
  return (
    specifier.startsWith(".") ||
    isAbsolute(specifier) ||
    specifier.startsWith("file:") ||
    /\.(m|c)?(j|t)sx?$/.test(specifier)
  );
}

async function importModule(url: string): Promise<Record<string, unknown>> {
  const target = url.startsWith("file:") || !looksLikePath(url) ? url : pathToFileURL(url).href;
  // TypeScript is compiled on the fly by tsx's hooks (see bot-resolution.ts).
  return (await import(target)) as Record<string, unknown>;
}
