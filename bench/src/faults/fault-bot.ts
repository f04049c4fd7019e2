// The fault suite's bot (the workers load bench/dist/faults/fault-bot.js as BOT_MODULE).
// `ping` answers `**pong**`: every answer is identical, so a retry that took another job's reply
// for its own would show as a lost one. `count N tag` streams N replies `tag i/N` with a short
// sleep between them, so that a worker killed mid-burst is killed mid-stream.
import { setTimeout as sleep } from "node:timers/promises";
import { CommandError, SparkBot } from "@sparkbot/core";

/** Longest stream `count` produces. */
export const MAX_COUNT = 20;
/** Pause between two replies of `count` (ms), from `FAULT_BOT_STEP_MS` (default 30). */
const stepMs = Number(process.env["FAULT_BOT_STEP_MS"] ?? 30);

export const bot = new SparkBot();

bot.command("ping", { help: "Answers `**pong**`." }, () => "**pong**");

bot.command(
  "count",
  { help: "`count N tag`: replies `tag 1/N` … `tag N/N`, one every few ms." },
  async function* ({ commandline, signal }) {
    const n = Number(commandline[1]);
    const tag = commandline[2];
    if (!Number.isInteger(n) || n < 1 || n > MAX_COUNT || tag === undefined) {
      throw new CommandError(`Usage: \`count N tag\` with 1 ≤ N ≤ ${MAX_COUNT}`);
    }
    for (let i = 1; i <= n; i++) {
      yield `${tag} ${i}/${n}`;
      if (i < n) await sleep(stepMs, undefined, { signal });
    }
  },
);
