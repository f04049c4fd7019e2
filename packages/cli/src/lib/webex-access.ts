import { existsSync } from "node:fs";
import { DEFAULT_WEBEX_API_URL } from "@sparkbot/core";
import { readSession } from "../dev/session.js";

/** How the CLI reaches Webex (or the emulator) for webhook commands. */
export interface WebexAccess {
  apiUrl: string;
  token: string;
  /** The receiver's public base URL, when known. */
  webhookUrl: string | undefined;
  /** Where these came from, for messages. */
  source: "environment" | "dev session";
}

/**
 * Uses `WEBEX_ACCESS_TOKEN` (or `SPARK_ACCESS_TOKEN`), `WEBEX_API_URL` and `WEBHOOK_URL` from the
 * environment; with no token there, the bot of the running dev session (the emulator).
 */
export function resolveWebexAccess(env: NodeJS.ProcessEnv, sessionPath: string): WebexAccess {
  const token = (env["WEBEX_ACCESS_TOKEN"] ?? env["SPARK_ACCESS_TOKEN"])?.trim();
  if (token) {
    return {
      apiUrl: (env["WEBEX_API_URL"]?.trim() || DEFAULT_WEBEX_API_URL).replace(/\/+$/, ""),
      token,
      webhookUrl: env["WEBHOOK_URL"]?.trim() || undefined,
      source: "environment",
    };
  }
  if (existsSync(sessionPath)) {
    const session = readSession(sessionPath);
    if (session.emulator !== undefined) {
      return {
        apiUrl: session.emulator.apiUrl,
        token: session.emulator.bot.token,
        webhookUrl: env["WEBHOOK_URL"]?.trim() || session.receiverUrl,
        source: "dev session",
      };
    }
  }
  throw new Error(
    "WEBEX_ACCESS_TOKEN is not set and no dev session is running: set the bot's token, or start `npm run dev`",
  );
}
