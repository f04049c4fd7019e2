import { relative } from "node:path";
import { REPO_ROOT } from "../paths.js";
import type { DevSession } from "./session.js";

/** How to run this CLI from the current directory. */
export function cliCommand(): string {
  const bin = relative(process.cwd(), `${REPO_ROOT}/packages/cli/dist/bin.js`) || "bin.js";
  return `node ${bin}`;
}

/** The lines printed once everything is up: where to talk to the bot. */
export function readyBanner(session: DevSession, sessionPath: string): string[] {
  const cli = cliCommand();
  const sessionFlag = sessionPath.endsWith(".sparkbot/dev.json") ? "" : ` --session ${sessionPath}`;
  const lines = ["", "SparkBot is ready."];
  if (session.emulator !== undefined) {
    lines.push(
      `  Talk to the bot:     ${session.emulator.chatUrl}`,
      `  Or from a terminal:  ${cli} say${sessionFlag} "ping"`,
      `  In the group room:   ${cli} say${sessionFlag} --room group "help"`,
      `  Local Webex (emulator): ${session.emulator.url}  (REST API ${session.emulator.apiUrl})`,
    );
  } else {
    lines.push("  Talk to the bot in Webex: its webhooks point at WEBHOOK_URL.");
  }
  lines.push(
    `  Receiver: ${session.receiverUrl}  (/healthz, /readyz, /metrics)`,
    `  Worker:   ${session.workerUrl}  (/healthz, /metrics)`,
    `  Redis:    ${session.redisUrl} (${describeRedis(session.redisSource)})`,
    "Press Ctrl-C to stop.",
    "",
  );
  return lines;
}

function describeRedis(source: DevSession["redisSource"]): string {
  if (source === "env") return "from REDIS_URL";
  if (source === "local") return "the one on this machine";
  return "a private redis-server, gone when this stops";
}
