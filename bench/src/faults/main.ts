// `pnpm faults`: the fault suite. Each scenario starts its own stack (emulator, private AOF
// Redis, receiver, two workers), sends a burst of `ping` and `count` messages over direct and
// group rooms while one fault is applied, and counts per message what the bot said: lost,
// duplicated, and the time to recover. `--quick` is the CI form (small bursts, a few seconds a
// scenario). Full mode writes bench/results/faults.json and the table in docs/RELIABILITY.md.
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { loadavg } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { describeMachine } from "../lib/machine.js";
import { stopAll } from "../lib/proc.js";
import { requireBuilt, RECEIVER_MAIN, WORKER_MAIN } from "../lib/services.js";
import { killAllRedis, REDIS_SERVER } from "./redis-server.js";
import { updateDoc } from "./doc.js";
import { renderText, suitePassed } from "./report.js";
import { runScenario, type ScenarioResult, type SuiteSettings } from "./run-scenario.js";
import { SCENARIOS } from "./scenarios.js";
import { FULL, QUICK } from "./settings.js";

interface Args {
  quick: boolean;
  json: string | undefined;
  only: string[] | undefined;
  doc: boolean;
  /** Only re-render docs/RELIABILITY.md's table from this saved report. */
  docFrom: string | undefined;
}

function parseArgs(argv: string[]): Args {
  const args: Args = {
    quick: false,
    json: undefined,
    only: undefined,
    doc: true,
    docFrom: undefined,
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === "--quick") args.quick = true;
    else if (arg === "--json") args.json = argv[++i];
    else if (arg === "--only") args.only = (argv[++i] ?? "").split(",").filter(Boolean);
    else if (arg === "--no-doc") args.doc = false;
    else if (arg === "--doc-from") args.docFrom = argv[++i];
    else {
      throw new Error(
        `unknown argument ${arg} (use --quick, --json <path>, --only <id,id>, --no-doc, --doc-from <json>)`,
      );
    }
  }
  const known = new Set(SCENARIOS.map((s) => s.id));
  const unknown = args.only?.filter((id) => !known.has(id)) ?? [];
  if (unknown.length > 0) {
    throw new Error(`unknown scenario ${unknown.join(", ")} (known: ${[...known].join(", ")})`);
  }
  return args;
}

/** The report `--json` and full mode write. */
export interface FaultReport {
  mode: "full" | "quick";
  startedAt: string;
  durationSeconds: number;
  machine: Record<string, string | number>;
  settings: SuiteSettings;
  passed: boolean;
  scenarios: ScenarioResult[];
}

async function redisServerVersion(): Promise<string> {
  const { execFileSync } = await import("node:child_process");
  try {
    const out = execFileSync(REDIS_SERVER, ["--version"], { encoding: "utf8" });
    return /v=(\S+)/.exec(out)?.[1] ?? out.trim();
  } catch {
    throw new Error(
      `${REDIS_SERVER} not found: the fault suite runs its own Redis (apt install redis-server, ` +
        "or set REDIS_SERVER to the binary)",
    );
  }
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const mode = args.quick ? "quick" : "full";
  const settings = args.quick ? QUICK : FULL;
  const benchDir = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..");
  const root = resolve(benchDir, "..");
  const doc = join(root, "docs", "RELIABILITY.md");
  if (args.docFrom !== undefined) {
    const saved = JSON.parse(readFileSync(args.docFrom, "utf8")) as FaultReport;
    if (!updateDoc(doc, saved)) throw new Error(`${doc} has no table markers`);
    process.stderr.write(`[faults] rendered the table of ${args.docFrom} into ${doc}\n`);
    return;
  }
  for (const built of [RECEIVER_MAIN, WORKER_MAIN, "bench/dist/faults/fault-bot.js"]) {
    requireBuilt(root, built);
  }
  const started = Date.now();
  const log = (line: string): void => {
    process.stderr.write(`[faults +${((Date.now() - started) / 1000).toFixed(1)}s] ${line}\n`);
  };
  const machine = { ...describeMachine(), redis: await redisServerVersion() };
  const loadAtStart = loadavg()[0] ?? 0;
  const chosen = SCENARIOS.filter((s) =>
    args.only === undefined ? s.modes.includes(mode) : args.only.includes(s.id),
  );
  log(`${mode} mode: ${chosen.map((s) => s.id).join(", ")}`);
  const results: ScenarioResult[] = [];
  for (const scenario of chosen) {
    const t0 = Date.now();
    log(`${scenario.id}: ${scenario.fault}`);
    try {
      results.push(await runScenario(scenario, settings, root, log));
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      log(`${scenario.id} FAILED TO RUN: ${message}`);
      results.push({
        id: scenario.id,
        item: scenario.item,
        fault: scenario.fault,
        messages: 0,
        rows: [],
        recoveryMs: null,
        faultMs: 0,
        faultAt: null,
        drainMs: null,
        notes: {},
        counters: {},
        logs: {},
        jobsFailed: null,
        failedDeliveries: 0,
        suspects: [],
        error: message.split("\n")[0] ?? message,
      });
      await stopAll();
      killAllRedis();
    }
    log(`${scenario.id}: done in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  }
  const report: FaultReport = {
    mode,
    startedAt: new Date(started).toISOString(),
    durationSeconds: (Date.now() - started) / 1000,
    machine: {
      ...machine,
      "load average (1 min) at start / end": `${loadAtStart.toFixed(1)} / ${(loadavg()[0] ?? 0).toFixed(1)}`,
    },
    settings,
    passed: suitePassed(results),
    scenarios: results,
  };
  process.stdout.write(`\n${renderText(results)}\n\n`);
  process.stdout.write(report.passed ? "fault suite: PASSED\n" : "fault suite: FAILED\n");
  const write = (path: string): void => {
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, `${JSON.stringify(report, null, 2)}\n`);
    log(`wrote ${path}`);
  };
  if (args.json !== undefined) write(args.json);
  if (mode === "full" && args.only === undefined) {
    write(join(benchDir, "results", "faults.json"));
    if (args.doc && updateDoc(doc, report)) log(`updated the table in ${doc}`);
  }
  if (!report.passed) process.exitCode = 1;
}

const WATCHDOG_MS = process.argv.includes("--quick") ? 300_000 : 45 * 60_000;
const watchdog = setTimeout(() => {
  process.stderr.write(`[faults] still running after ${WATCHDOG_MS / 1000} s: stopping\n`);
  killAllRedis();
  void stopAll().finally(() => process.exit(2));
}, WATCHDOG_MS);
watchdog.unref();

for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.on(signal, () => {
    killAllRedis();
    void stopAll().finally(() => process.exit(130));
  });
}
process.on("exit", killAllRedis);

main().then(
  () => {
    clearTimeout(watchdog);
    setTimeout(() => process.exit(process.exitCode ?? 0), 100).unref();
  },
  (error: unknown) => {
    process.stderr.write(
      `[faults] failed: ${error instanceof Error ? error.stack : String(error)}\n`,
    );
    killAllRedis();
    void stopAll().finally(() => process.exit(1));
  },
);
