// `npm run bench`: the receiver's CPU per webhook against a bare server, the comparison of
// issue 17 (SparkBot with and without room ordering, the peer as it ships and tuned, a no-queue
// bot; alternated rounds, min / median / max) and the Webex client's cost, in one run; prints the
// table and (full mode) writes bench/results/latest.json and bench/RESULTS.md. `--all` adds the
// older measurements of issue 7 (end to end with 1/2/4 workers, the former peer phase, profiles).
// `--quick` is the smoke mode: tiny counts, a few seconds per phase, nothing written unless
// `--json <path>` is given.
import { mkdirSync, writeFileSync } from "node:fs";
import { cpus, loadavg } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { EmulatorControl, startEmulator } from "@sparkbot/emulator";
import { PrivateRedis } from "@sparkbot/testkit";
import { describeMachine } from "./lib/machine.js";
import { keptAnalysis, renderResultsMarkdown } from "./lib/markdown.js";
import { stopAll } from "./lib/proc.js";
import { connectRedis, redisVersion } from "./lib/redis.js";
import { renderTextTable, type BenchReport } from "./lib/report.js";
import { createBot, createPingers } from "./lib/scene.js";
import { declareClientCost, runClientCost } from "./scenarios/client-cost.js";
import { FULL, QUICK, RowBook, type BenchContext } from "./scenarios/context.js";
import { declareEndToEnd, runEndToEnd } from "./scenarios/end-to-end.js";
import { declareIngest, runIngest } from "./scenarios/ingest.js";
import { declarePeer, runPeer } from "./scenarios/peer.js";
import { declareHttpClientRun, runHttpClient } from "./scenarios/http-client.js";
import { runProfiles } from "./scenarios/profile.js";
import { runCompare } from "./scenarios/compare.js";
import { declareCompareRows } from "./scenarios/compare-rows.js";

interface Args {
  quick: boolean;
  all: boolean;
  json: string | undefined;
  profile: boolean | undefined;
}

function parseArgs(argv: string[]): Args {
  const args: Args = { quick: false, all: false, json: undefined, profile: undefined };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === "--quick") args.quick = true;
    else if (arg === "--all") args.all = true;
    else if (arg === "--json") args.json = argv[++i];
    else if (arg === "--profile") args.profile = true;
    else if (arg === "--no-profile") args.profile = false;
    else
      throw new Error(
        `unknown argument ${arg} (use --quick, --all, --json <path>, --[no-]profile)`,
      );
  }
  return args;
}

/** Runs `phase`; on failure records it and gives its unmeasured rows the reason. */
async function phase(
  ctx: BenchContext,
  failures: BenchReport["failures"],
  name: string,
  rowPrefixes: string[],
  run: () => Promise<void>,
): Promise<void> {
  try {
    await run();
  } catch (error) {
    const message = (error instanceof Error ? error.message : String(error)).split("\n")[0] ?? "";
    ctx.log(`${name} FAILED: ${error instanceof Error ? error.message : String(error)}`);
    failures.push({ phase: name, error: message });
    for (const prefix of rowPrefixes) ctx.rows.markUnmeasured(prefix, `${name} failed: ${message}`);
    await stopAll();
  }
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const mode = args.quick ? "quick" : "full";
  const settings = { ...(args.quick ? QUICK : FULL) };
  if (args.profile !== undefined) settings.profile = args.profile;
  if (settings.profile && settings.profileSeconds === 0) settings.profileSeconds = 3;
  const benchDir = resolve(dirname(fileURLToPath(import.meta.url)), "..");
  const started = Date.now();
  const log = (line: string): void => {
    process.stderr.write(`[bench +${((Date.now() - started) / 1000).toFixed(1)}s] ${line}\n`);
  };
  // A private redis-server unless REDIS_URL names one: on a shared Redis, other users' commands
  // would count as the bench's (Redis CPU per command, commands per request).
  const privateRedis =
    process.env["REDIS_URL"] === undefined ? await PrivateRedis.start() : undefined;
  const redisUrl = process.env["REDIS_URL"] ?? privateRedis?.url ?? "redis://127.0.0.1:6379";
  const redis = await connectRedis(redisUrl);
  const emulator = await startEmulator();
  const ctx: BenchContext = {
    mode,
    settings,
    cores: cpus().length,
    root: resolve(benchDir, ".."),
    distDir: join(benchDir, "dist"),
    resultsDir: join(benchDir, "results"),
    emulator,
    control: new EmulatorControl(emulator.url),
    redis,
    redisUrl,
    logLevel: process.env["BENCH_LOG_LEVEL"] ?? "warn",
    rows: new RowBook(),
    profiles: [],
    details: {},
    shared: new Map(),
    log,
  };
  const failures: BenchReport["failures"] = [];
  const loads: number[] = [loadavg()[0] ?? 0];
  const loadSampler = setInterval(() => loads.push(loadavg()[0] ?? 0), 5_000);
  loadSampler.unref();
  try {
    declareIngest(ctx);
    declareCompareRows(ctx);
    declareClientCost(ctx);
    if (args.all) {
      declareEndToEnd(ctx);
      declarePeer(ctx);
      declareHttpClientRun(ctx);
    }
    log(`${mode} mode; emulator at ${emulator.url}; Redis at ${redisUrl}`);
    const sparkBot = await createBot(ctx.control, "SparkBot");
    const peerBot = await createBot(ctx.control, "Peer");
    const ourPingers = await createPingers(ctx.control, sparkBot, settings.pingers, "sb");
    const peerPingers = await createPingers(ctx.control, peerBot, settings.pingers, "peer");

    await phase(ctx, failures, "ingest", ["ingest.", "memory.receiver.ingest"], () =>
      runIngest(ctx, sparkBot.token),
    );
    await phase(ctx, failures, "compare", ["compare."], () => runCompare(ctx));
    await phase(ctx, failures, "client cost", ["client."], () => runClientCost(ctx));
    if (args.all) {
      await phase(
        ctx,
        failures,
        "end to end",
        ["e2e.", "scaling.", "memory.worker", "memory.receiver.e2e"],
        () => runEndToEnd(ctx, sparkBot, ourPingers),
      );
      await phase(ctx, failures, "peer", ["peer.", "memory.peer"], () =>
        runPeer(ctx, peerBot, peerPingers, sparkBot, ourPingers),
      );
      await phase(
        ctx,
        failures,
        "end to end, WEBEX_CLIENT=http",
        ["e2e.http.", "memory.worker.http", "memory.receiver.http"],
        () => runHttpClient(ctx, sparkBot, ourPingers),
      );
    }
    if (!settings.profile) ctx.rows.markUnmeasured("client.sdk.stack", "profiles turned off");
    if (settings.profile) {
      await phase(ctx, failures, "profiles", ["client.sdk.stack"], () =>
        runProfiles(ctx, sparkBot, ourPingers),
      );
    }

    const report: BenchReport = {
      mode,
      startedAt: new Date(started).toISOString(),
      durationSeconds: (Date.now() - started) / 1000,
      machine: {
        ...describeMachine(),
        redis: `${await redisVersion(redis)}${privateRedis !== undefined ? " (private to the run, no AOF)" : ""}`,
        "load average (1 min) at start / max during run": `${loads[0]?.toFixed(1)} / ${Math.max(...loads).toFixed(1)}`,
        // Busy: the load average exceeded the cores, or other processes took > 10% in a round.
        busy: busyVerdict(ctx, loads),
      },
      settings: {
        ...settings,
        workerCounts: settings.workerCounts.join("/"),
        profile: String(settings.profile),
        logLevel: ctx.logLevel,
      },
      rows: ctx.rows.rows,
      profiles: ctx.profiles,
      details: ctx.details,
      failures,
    };
    process.stdout.write(`\n${renderTextTable(report.rows)}\n\n`);
    if (args.json !== undefined) writeJson(args.json, report);
    if (mode === "full") {
      writeJson(join(ctx.resultsDir, "latest.json"), report);
      const resultsMd = join(benchDir, "RESULTS.md");
      writeFileSync(resultsMd, renderResultsMarkdown(report, keptAnalysis(resultsMd)));
      log(`wrote ${join(ctx.resultsDir, "latest.json")} and ${resultsMd}`);
    }
    if (failures.length > 0) process.exitCode = 1;
  } finally {
    clearInterval(loadSampler);
    await stopAll();
    await emulator.close();
    redis.disconnect();
    await privateRedis?.stop();
  }
}

/** "no", or why the run must be read as a busy machine's (then re-run it on a quiet one). */
function busyVerdict(ctx: BenchContext, loads: number[]): string {
  const reasons: string[] = [];
  const maxLoad = Math.max(...loads);
  if (maxLoad > ctx.cores)
    reasons.push(`load average up to ${maxLoad.toFixed(1)} on ${ctx.cores} cores`);
  const busyRows = ctx.rows.rows.filter((row) => row.note?.includes("BUSY")).length;
  if (busyRows > 0) reasons.push(`${busyRows} rows with rounds where other processes took > 10%`);
  return reasons.length === 0 ? "no" : `YES: ${reasons.join("; ")}`;
}

function writeJson(path: string, report: BenchReport): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, `${JSON.stringify(report, null, 2)}\n`);
}

/**
 * The whole run is bounded: past this, everything is stopped and the run fails. BENCH_WATCHDOG_MS
 * sets another bound (the smoke test gives the quick run more time on a busy machine).
 */
const WATCHDOG_MS =
  Number(process.env["BENCH_WATCHDOG_MS"] ?? "") ||
  (process.argv.includes("--quick")
    ? 240_000
    : process.argv.includes("--all")
      ? 1_200_000
      : 840_000);
const watchdog = setTimeout(() => {
  process.stderr.write(`[bench] still running after ${WATCHDOG_MS / 1000} s: stopping\n`);
  void stopAll().finally(() => process.exit(2));
}, WATCHDOG_MS);
watchdog.unref();

for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.on(signal, () => {
    void stopAll().finally(() => process.exit(130));
  });
}

main().then(
  () => {
    clearTimeout(watchdog);
    // Libraries (the SDK in-process for nothing, undici keep-alive) may hold the loop open.
    setTimeout(() => process.exit(process.exitCode ?? 0), 100).unref();
  },
  (error: unknown) => {
    process.stderr.write(
      `[bench] failed: ${error instanceof Error ? error.stack : String(error)}\n`,
    );
    void stopAll().finally(() => process.exit(1));
  },
);
