#!/usr/bin/env node
import { parseArgs } from "node:util";
import { listenUrls } from "@sparkbot/core";
import { startEmulator, type RunningEmulator } from "./server.js";

const USAGE =
  "usage: sparkbot-emulator [--port 8900] [--host 127.0.0.1] [--log]\n" +
  "                         [--seed] [--bot-token TOKEN] [--public-url URL]\n" +
  "  --seed         start with a bot (SparkBot), a user (Dev User), their direct room and a\n" +
  "                 group room, with the same ids on every start\n" +
  "  --bot-token    the seeded bot's token (implies --seed; default: a random one)\n" +
  "  --public-url   the URL people reach it at (e.g. a published container port), for the log\n";

/** `sparkbot-emulator [options]`: runs the emulator until stopped. */
async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      port: { type: "string", default: "8900" },
      host: { type: "string", default: "127.0.0.1" },
      log: { type: "boolean", default: false },
      seed: { type: "boolean", default: false },
      "bot-token": { type: "string" },
      "public-url": { type: "string" },
      help: { type: "boolean", short: "h", default: false },
    },
  });
  if (values.help) {
    process.stdout.write(USAGE);
    return;
  }
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    return usageError(`--port must be a port number, got ${values.port}`);
  }
  const botToken = values["bot-token"];
  if (botToken !== undefined && !/^[A-Za-z0-9_.-]+$/.test(botToken)) {
    return usageError("--bot-token may hold only letters, digits, _ . and -");
  }
  const publicUrl = values["public-url"]?.replace(/\/+$/, "");
  if (publicUrl !== undefined && !/^https?:\/\/\S+$/.test(publicUrl)) {
    return usageError(`--public-url must be an http(s) URL, got ${publicUrl}`);
  }
  const seed = values.seed || botToken !== undefined;
  const emulator = await startEmulator({
    port,
    host: values.host,
    logRequests: values.log,
    ...(seed ? { seed: botToken !== undefined ? { botToken } : {} } : {}),
  });
  process.stdout.write(`${startLines(emulator, values.host, publicUrl).join("\n")}\n`);
  const stop = (): void => {
    void emulator.close().then(() => process.exit(0));
  };
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
}

/** The start-up lines: where it listens (every address when on 0.0.0.0) and what was seeded. */
function startLines(emulator: RunningEmulator, host: string, publicUrl?: string): string[] {
  const port = Number(new URL(emulator.url).port);
  const urls = listenUrls(host, port);
  const first = publicUrl ?? urls[0] ?? emulator.url;
  const lines = [`sparkbot-emulator listening on ${first} (chat page: ${first}/chat)`];
  const others = urls.filter((url) => url !== first);
  if (others.length > 0) lines.push(`sparkbot-emulator also reachable at ${others.join(", ")}`);
  if (emulator.seeded !== undefined) {
    const { botId, userId, rooms } = emulator.seeded;
    lines.push(
      `sparkbot-emulator seeded: bot SparkBot ${botId}, user Dev User ${userId}, ` +
        `direct room ${rooms.direct}, group room ${rooms.group}`,
    );
  }
  return lines;
}

function usageError(message: string): void {
  process.stderr.write(`sparkbot-emulator: ${message}\n${USAGE}`);
  process.exitCode = 2;
}

main().catch((error: unknown) => {
  process.stderr.write(
    `sparkbot-emulator: ${error instanceof Error ? error.message : String(error)}\n`,
  );
  process.exit(1);
});
