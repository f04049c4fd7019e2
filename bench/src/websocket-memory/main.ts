// `node bench/websocket-memory.mjs [--idle-ms N] [--rounds N]`: the memory of a websocket
// client on SparkBot's plain `ws` session against the webex SDK's device + mercury plugins, each
// in a fresh process against the emulator: RSS and heap (after a GC) when loaded, once connected,
// and after an idle period; each must also receive an activity. Writes
// bench/results/websocket-memory.json and prints a table.
import { spawn } from "node:child_process";
import { writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { EmulatorControl, startEmulator } from "@sparkbot/emulator";

const here = dirname(fileURLToPath(import.meta.url));
const { values } = parseArgs({
  options: { "idle-ms": { type: "string" }, rounds: { type: "string" } },
});
const idleMs = Number(values["idle-ms"] ?? "30000");
const rounds = Number(values.rounds ?? "3");

type Line = { event: string; rssMb?: number; heapUsedMb?: number; id?: string; error?: string };

async function runClient(
  mode: string,
  env: Record<string, string>,
  send: () => Promise<string>,
): Promise<Record<string, Line>> {
  const child = spawn(process.execPath, ["--expose-gc", join(here, "client.js"), mode], {
    env: { ...process.env, ...env, WS_BENCH_IDLE_MS: String(idleMs) },
    stdio: ["ignore", "pipe", "inherit"],
  });
  const lines: Record<string, Line> = {};
  let buffer = "";
  let sent: string | undefined;
  const seen = new Set<string>();
  child.stdout.on("data", (chunk: Buffer) => {
    buffer += chunk.toString();
    for (;;) {
      const end = buffer.indexOf("\n");
      if (end < 0) break;
      const line = JSON.parse(buffer.slice(0, end)) as Line;
      buffer = buffer.slice(end + 1);
      if (line.event === "activity" && line.id !== undefined) seen.add(line.id);
      else lines[line.event] = line;
      if (line.event === "connected") void send().then((id) => (sent = id));
    }
  });
  await new Promise((resolve) => child.once("exit", resolve));
  if (lines["error"]) throw new Error(`${mode}: ${lines["error"].error}`);
  if (sent === undefined || !seen.has(sent)) throw new Error(`${mode}: the activity never came`);
  return lines;
}

async function main(): Promise<void> {
  const emulator = await startEmulator();
  const control = new EmulatorControl(emulator.url);
  const results: Record<string, Record<string, Line>[]> = { ws: [], sdk: [] };
  for (let round = 0; round < rounds; round += 1) {
    for (const mode of ["ws", "sdk"]) {
      await control.reset();
      const bot = await control.createPerson({
        displayName: "B",
        email: "b@webex.bot",
        type: "bot",
      });
      const user = await control.createPerson({ displayName: "U", email: "u@example.com" });
      const room = await control.createRoom({
        title: "dm",
        type: "direct",
        members: [user.id, bot.id],
      });
      const send = async () => {
        const message = await control.sendMessage({
          personId: user.id,
          roomId: room.id,
          text: "hi",
        });
        const decoded = Buffer.from(message.id, "base64url").toString();
        return decoded.slice(decoded.lastIndexOf("/") + 1);
      };
      results[mode]?.push(
        await runClient(mode, { WS_BENCH_TOKEN: bot.token, WS_BENCH_EMULATOR: emulator.url }, send),
      );
    }
  }
  await emulator.close();
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;
  const summary: Record<string, Record<string, number>> = {};
  for (const [mode, runs] of Object.entries(results)) {
    const row: Record<string, number> = {};
    for (const phase of ["start", "loaded", "connected", "idle"]) {
      row[`${phase}RssMb`] = median(runs.map((r) => r[phase]?.rssMb ?? 0));
      row[`${phase}HeapMb`] = median(runs.map((r) => r[phase]?.heapUsedMb ?? 0));
    }
    summary[mode] = row;
  }
  const out = {
    measuredAt: new Date().toISOString(),
    node: process.version,
    rounds,
    idleMs,
    note: "medians over rounds; each client a fresh process, memory after a forced GC",
    summary,
    runs: results,
  };
  writeFileSync(
    join(here, "..", "..", "results", "websocket-memory.json"),
    `${JSON.stringify(out, null, 2)}\n`,
  );
  process.stdout.write(
    "mode | RSS loaded | RSS connected | RSS idle | heap connected | heap idle\n",
  );
  for (const [mode, row] of Object.entries(summary)) {
    process.stdout.write(
      `${mode} | ${row["loadedRssMb"]} MB | ${row["connectedRssMb"]} MB | ${row["idleRssMb"]} MB | ${row["connectedHeapMb"]} MB | ${row["idleHeapMb"]} MB\n`,
    );
  }
}

await main();
