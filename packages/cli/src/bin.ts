#!/usr/bin/env node
import { parseArgs } from "node:util";
import { runConfigCheck } from "./commands/config-check.js";
import { runDev } from "./commands/dev.js";
import { runNew } from "./commands/new.js";
import { runSay } from "./commands/say.js";
import { runWebhooks } from "./commands/webhooks.js";
import { defaultSessionPath } from "./paths.js";

const USAGE = `Usage: sparkbot <command> [options]

Commands:
  new <name>                  Create a bot project: src/bot.ts, its unit test, package.json,
                              README. Inside the SparkBot repository: bots/<name>, a workspace
                              package; elsewhere: ./<name>, on the published @sparkbot packages.
  dev                         Run Redis, the local Webex emulator, the receiver and a worker.
                              With WEBEX_ACCESS_TOKEN and WEBHOOK_URL set: real Webex, no emulator
                              (one of the two without the other is refused: say which you mean).
      --bot <module>          The bot the worker runs (or BOT_MODULE; default the example bot).
      --emulator              Use the emulator even when WEBEX_ACCESS_TOKEN/WEBHOOK_URL are set.
      --websocket             The receiver listens on (the emulator's or Webex's) websocket
                              instead of taking webhooks (INGRESS=websocket): no public URL;
                              against Webex, WEBEX_ACCESS_TOKEN alone is enough.
      --emulator-port N --receiver-port N --worker-port N   (0: any free port; or
      EMULATOR_PORT, RECEIVER_PORT, WORKER_PORT; default 8900, 8080, 9464 when free)
  say "<text>"                Send <text> as the dev user and print the bot's replies; exits as
                              soon as the command has finished (its job in the queue completed).
      --room direct|group     The room to write in (default direct; in group the bot is mentioned).
      --timeout-ms N          Give up after N ms (default 60000); exit 1.
      --quiet-ms N            Also stop once N ms passed without a new reply (default: off).
      --json                  Print each reply as a JSON line (the Webex message).
  webhooks list|sync|delete   The bot account's webhooks (delete <id>... or --all).  --json
  config check                Print every variable the services read, secrets masked; one
                              line per problem, exit 1 on any.
      --offline               Do not check that Redis and Webex answer.

Every command takes --session <file> (default .sparkbot/dev.json, or SPARKBOT_SESSION).`;

const OPTIONS = {
  session: { type: "string" },
  "emulator-port": { type: "string" },
  "receiver-port": { type: "string" },
  "worker-port": { type: "string" },
  room: { type: "string", default: "direct" },
  "quiet-ms": { type: "string" },
  "timeout-ms": { type: "string" },
  json: { type: "boolean", default: false },
  all: { type: "boolean", default: false },
  offline: { type: "boolean", default: false },
  bot: { type: "string" },
  emulator: { type: "boolean", default: false },
  websocket: { type: "boolean", default: false },
  help: { type: "boolean", short: "h", default: false },
} as const;

class UsageError extends Error {}

function port(value: string | undefined, flag: string): number | undefined {
  if (value === undefined) return undefined;
  const number = Number(value);
  if (!Number.isInteger(number) || number < 0 || number > 65535) {
    throw new UsageError(
      `--${flag} (${flag.toUpperCase().replace("-", "_")}) must be a port number (0 for any free port), got "${value}"`,
    );
  }
  return number;
}

function millis(value: string | undefined, flag: string): number | undefined {
  if (value === undefined) return undefined;
  const number = Number(value);
  if (!Number.isInteger(number) || number < 0) {
    throw new UsageError(`--${flag} must be a whole number of milliseconds, got "${value}"`);
  }
  return number;
}

function envValue(name: string): string | undefined {
  return process.env[name]?.trim() || undefined;
}

async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    options: OPTIONS,
    allowPositionals: true,
  });
  const [command, ...rest] = positionals;
  const sessionPath = values.session ?? defaultSessionPath();
  if (values.help || command === undefined || command === "help") {
    process.stdout.write(`${USAGE}\n`);
    return command === undefined && !values.help ? 1 : 0;
  }
  switch (command) {
    case "dev":
      return runDev({
        sessionPath,
        emulatorPort: port(values["emulator-port"] ?? envValue("EMULATOR_PORT"), "emulator-port"),
        receiverPort: port(values["receiver-port"] ?? envValue("RECEIVER_PORT"), "receiver-port"),
        workerPort: port(values["worker-port"] ?? envValue("WORKER_PORT"), "worker-port"),
        bot: values.bot,
        emulator: values.emulator,
        websocket: values.websocket === true || envValue("INGRESS") === "websocket",
      });
    case "new": {
      const [name, ...extra] = rest;
      if (name === undefined || extra.length > 0) {
        throw new UsageError("new takes the bot's name: sparkbot new my-bot");
      }
      runNew({ name });
      return 0;
    }
    case "say": {
      const text = rest.join(" ");
      const room = values.room;
      if (text.trim() === "")
        throw new UsageError('say needs the text to send: sparkbot say "ping"');
      if (room !== "direct" && room !== "group") throw new UsageError("--room is direct or group");
      const result = await runSay({
        sessionPath,
        text,
        room,
        json: values.json,
        quietMs: millis(values["quiet-ms"], "quiet-ms"),
        timeoutMs: millis(values["timeout-ms"], "timeout-ms"),
      });
      if (result.detail !== undefined) process.stderr.write(`sparkbot say: ${result.detail}\n`);
      if (result.ending === "completed" && result.replies.length === 0) {
        process.stderr.write("sparkbot say: the command finished without a reply\n");
      }
      return result.ending === "completed" || result.ending === "quiet" ? 0 : 1;
    }
    case "webhooks": {
      const [action = "list", ...ids] = rest;
      if (action !== "list" && action !== "sync" && action !== "delete") {
        throw new UsageError(`webhooks takes list, sync or delete, got "${action}"`);
      }
      const env = process.env;
      return runWebhooks({ action, ids, all: values.all, json: values.json, sessionPath, env });
    }
    case "config":
      if (rest[0] !== "check") throw new UsageError("did you mean `sparkbot config check`?");
      return runConfigCheck({ env: process.env, offline: values.offline });
    default:
      throw new UsageError(`unknown command "${command}"`);
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    // The Webex SDK keeps timers alive after the work is done: leave now (stdout is flushed,
    // pipes and files are written synchronously).
    process.exit(code);
  },
  (error: unknown) => {
    const message = error instanceof Error ? error.message : String(error);
    process.stderr.write(`sparkbot: ${message}\n`);
    if (error instanceof UsageError) process.stderr.write("Run `sparkbot --help` for usage.\n");
    process.exitCode = error instanceof UsageError ? 2 : 1;
  },
);
