import { existsSync } from "node:fs";
import { readSession } from "../dev/session.js";

/** The environment the webhook commands load their configuration from, and where it came from. */
export interface WebexEnv {
  env: NodeJS.ProcessEnv;
  source: "environment" | "dev session";
}

/**
 * The environment as it is when it names a token (`WEBEX_ACCESS_TOKEN` or `SPARK_ACCESS_TOKEN`);
 * with no token, the running dev session's bot, emulator, receiver URL and Redis filled in, so
 * that `sparkbot webhooks ...` works next to `sparkbot dev` with nothing set.
 */
export function webexEnv(env: NodeJS.ProcessEnv, sessionPath: string): WebexEnv {
  const token = (env["WEBEX_ACCESS_TOKEN"] ?? env["SPARK_ACCESS_TOKEN"])?.trim();
  if (token) return { env, source: "environment" };
  if (existsSync(sessionPath)) {
    const session = readSession(sessionPath);
    if (session.emulator !== undefined) {
      const filled: NodeJS.ProcessEnv = {
        ...env,
        WEBEX_ACCESS_TOKEN: session.emulator.bot.token,
        WEBEX_API_URL: session.emulator.apiUrl,
        WEBHOOK_URL: env["WEBHOOK_URL"] ?? session.receiverUrl,
        REDIS_URL: env["REDIS_URL"] ?? session.redisUrl,
        REDIS_PREFIX: env["REDIS_PREFIX"] ?? session.redisPrefix,
      };
      return { env: filled, source: "dev session" };
    }
  }
  throw new Error(
    "WEBEX_ACCESS_TOKEN is not set and no dev session is running: set the bot's token, or start `npm run dev`",
  );
}
