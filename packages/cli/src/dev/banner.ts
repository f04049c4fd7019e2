import { relative } from "node:path";
import { WORKSPACE_ROOT } from "../paths.js";
import type { DevSession } from "./session.js";

/**
 * How to run this CLI from the current directory: `npm run sparkbot --` at the root of a
 * checkout, `node <path>/bin.js` elsewhere in it, `npx sparkbot` where it is installed.
 */
export function cliCommand(cwd = process.cwd()): string {
  if (WORKSPACE_ROOT === undefined) return "npx sparkbot";
  if (relative(WORKSPACE_ROOT, cwd) === "") return "npm run sparkbot --";
  return `node ${relative(cwd, `${WORKSPACE_ROOT}/packages/cli/dist/bin.js`)}`;
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
    lines.push(
      session.ingress === "websocket"
        ? "  Talk to the bot in Webex: the receiver listens on Webex's websocket."
        : "  Talk to the bot in Webex: its webhooks point at WEBHOOK_URL.",
    );
  }
  if (session.ingress === "websocket") {
    lines.push("  Ingress:  websocket (INGRESS=websocket: no webhook, no public URL)");
  }
  lines.push(
    `  Bot:      ${session.botModule ?? "the example bot (set --bot or BOT_MODULE for yours)"}`,
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
