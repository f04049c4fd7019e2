import { existsSync } from "node:fs";
import { isAbsolute, resolve } from "node:path";

/** What `sparkbot dev` talks to: the local emulator, or real Webex with the user's token. */
export type DevMode = { kind: "emulator"; note?: string } | { kind: "webex"; token: string };

/** A configuration `sparkbot dev` refuses to guess about; its message is the one line to print. */
export class DevSetupError extends Error {}

function token(env: NodeJS.ProcessEnv): string | undefined {
  return env["WEBEX_ACCESS_TOKEN"]?.trim() || env["SPARK_ACCESS_TOKEN"]?.trim() || undefined;
}

/**
 * Real Webex needs both the bot's token and the public URL Webex sends webhooks to; the emulator
 * needs neither. Half of the pair is refused with one line saying both ways out, rather than
 * silently running on the emulator: the token would not be used, and the bot would stay silent
 * in Webex. `--emulator` runs on the emulator whatever the environment says.
 */
export function chooseDevMode(
  env: NodeJS.ProcessEnv,
  forceEmulator = false,
  websocket = false,
): DevMode {
  const bot = token(env);
  // With the websocket, Webex needs no URL of ours: the token alone means real Webex.
  const webhookUrl = websocket ? undefined : env["WEBHOOK_URL"]?.trim();
  if (forceEmulator) {
    const ignored = [bot && "WEBEX_ACCESS_TOKEN", webhookUrl && "WEBHOOK_URL"].filter(Boolean);
    const note =
      ignored.length > 0
        ? `--emulator: running on the local emulator; ${ignored.join(" and ")} from the environment ${ignored.length > 1 ? "are" : "is"} not used`
        : undefined;
    return { kind: "emulator", note };
  }
  if (bot !== undefined && (webhookUrl || websocket)) return { kind: "webex", token: bot };
  if (bot !== undefined) {
    throw new DevSetupError(
      "WEBEX_ACCESS_TOKEN is set but WEBHOOK_URL is not. To run against Webex, set WEBHOOK_URL to the public https URL that reaches the receiver (e.g. a tunnel to port 8080); to run on the local emulator instead, unset WEBEX_ACCESS_TOKEN or pass --emulator",
    );
  }
  if (webhookUrl) {
    throw new DevSetupError(
      "WEBHOOK_URL is set but WEBEX_ACCESS_TOKEN is not. To run against Webex, set WEBEX_ACCESS_TOKEN to the bot's token too; to run on the local emulator instead, unset WEBHOOK_URL or pass --emulator",
    );
  }
  return { kind: "emulator" };
}

/**
 * The bot module the worker runs, from `--bot` or `BOT_MODULE`: a path is made absolute (from
 * the current directory) and must exist; a package name is passed on as it is; neither means
 * the worker's default, the example bot.
 */
export function resolveBotModule(
  flag: string | undefined,
  env: NodeJS.ProcessEnv,
  cwd = process.cwd(),
): string | undefined {
  const given = flag?.trim() || env["BOT_MODULE"]?.trim();
  if (!given) return undefined;
  const source = flag?.trim() ? "--bot" : "BOT_MODULE";
  const isPath = given.startsWith(".") || isAbsolute(given) || /\.(m|c)?(j|t)sx?$/.test(given);
  if (!isPath) return given;
  const path = resolve(cwd, given);
  if (!existsSync(path)) {
    throw new DevSetupError(`${source} names ${path}, which does not exist`);
  }
  return path;
}
