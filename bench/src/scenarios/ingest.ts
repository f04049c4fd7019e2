import { randomBytes } from "node:crypto";
import { join } from "node:path";
import { deletePrefix, uniquePrefix } from "@sparkbot/testkit";
import { startProcess, waitForReady } from "../lib/proc.js";
import { ratioOf } from "../lib/report.js";
import { readSystemBusyMs } from "../lib/procfs.js";
import { commandsPerRequest, redisCommandStats, redisCpuMs, waitingJobs } from "../lib/redis.js";
import type { ChildHandle } from "../lib/proc.js";
import { startReceiverProcess, type ReceiverProcess, type ServiceEnv } from "../lib/services.js";
import type { IngestLoadOptions, IngestLoadResult } from "../procs/ingest-load.js";
import type { BenchContext } from "./context.js";

const SECTION = "1 Receiver ingest";

/** Declares the rows of measurement 1 (and the receiver's memory row of measurement 4). */
export function declareIngest(ctx: BenchContext): void {
  const conns = ctx.settings.connections;
  const rows = ctx.rows;
  rows.declare({
    id: "ingest.bare.rps",
    section: SECTION,
    label: `Bare node:http 204 server, ${conns} conns`,
    unit: "req/s",
  });
  rows.declare({
    id: "ingest.receiver.rps",
    section: SECTION,
    label: `Receiver: verified + enqueued webhooks, ${conns} conns`,
    unit: "req/s",
    target: "≥ 0.5× bare",
  });
  rows.declare({
    id: "ingest.receiver.p50",
    section: SECTION,
    label: "Receiver latency p50",
    unit: "ms",
  });
  rows.declare({
    id: "ingest.receiver.p99",
    section: SECTION,
    label: "Receiver latency p99",
    unit: "ms",
    target: "< 20 ms",
  });
  rows.declare({
    id: "ingest.receiver.failed",
    section: SECTION,
    label: "Receiver non-2xx answers and errors",
    unit: "",
    target: "= 0",
  });
  rows.declare({
    id: "ingest.receiver.missing",
    section: SECTION,
    label: "2xx answers whose job is not in Redis",
    unit: "",
    target: "= 0",
  });
  rows.declare({
    id: "ingest.receiver.cpu",
    section: "0 Headline",
    label: `Receiver CPU per webhook (verified + enqueued, ${ctx.settings.connections} connections)`,
    unit: "µs",
    target: "≤ 60 µs",
  });
  rows.declare({
    id: "memory.receiver.ingest",
    section: "4 Memory",
    label: "Receiver peak RSS under ingest load",
    unit: "MB",
    target: "< 120 MB",
  });
}

/**
 * Runs the measured load and says where the machine's CPU went meanwhile, in cores: the server
 * under test, the load generator, and Redis (shared with anything else using it).
 */
async function measuredLoad(
  ctx: BenchContext,
  server: ChildHandle,
  url: string,
  secret: string,
): Promise<{
  result: IngestLoadResult;
  cpuNote: string;
  redisCommands: RedisPerRequest;
  serverUsPerRequest: number;
  othersShare: number;
}> {
  const commands0 = await redisCommandStats(ctx.redis);
  const server0 = server.cpuMs();
  const redis0 = await redisCpuMs(ctx.redis);
  const system0 = readSystemBusyMs() ?? 0;
  const result = await runIngestLoad(ctx, url, secret, ctx.settings.ingestSeconds);
  const wallMs = result.durationSeconds * 1000;
  const cores = (ms: number): string => (ms / wallMs).toFixed(2);
  const serverMs = server.cpuMs() - server0;
  const redisMs = (await redisCpuMs(ctx.redis)) - redis0;
  const redisCommands = commandsPerRequest(
    commands0,
    await redisCommandStats(ctx.redis),
    result.requests,
  );
  const othersMs = (readSystemBusyMs() ?? 0) - system0 - serverMs - result.cpuMs - redisMs;
  const cpuNote =
    `CPU in cores: server ${cores(serverMs)} (${((serverMs * 1000) / Math.max(1, result.requests)).toFixed(0)} µs per request), ` +
    `load generator ${cores(result.cpuMs)}, ` +
    `Redis ${cores(redisMs)}, other processes ${cores(Math.max(0, othersMs))}`;
  return {
    result,
    cpuNote,
    redisCommands,
    serverUsPerRequest: (serverMs * 1000) / Math.max(1, result.requests),
    othersShare: Math.max(0, othersMs) / (wallMs * ctx.cores),
  };
}

type RedisPerRequest = ReturnType<typeof commandsPerRequest>;

function sumOf(list: RedisPerRequest, key: "perRequest" | "usecPerRequest"): number {
  return list.reduce((sum, item) => sum + item[key], 0);
}

/** Runs one autocannon load process against `url` and returns its result. */
export async function runIngestLoad(
  ctx: BenchContext,
  url: string,
  secret: string,
  seconds: number,
): Promise<IngestLoadResult> {
  const options: IngestLoadOptions = {
    url,
    secret,
    connections: ctx.settings.connections,
    durationSeconds: seconds,
  };
  const load = startProcess({
    name: "load",
    script: join(ctx.distDir, "procs/ingest-load.js"),
    args: [JSON.stringify(options)],
  });
  try {
    const line = await load.waitForLine((l) => l.startsWith("RESULT "), seconds * 1000 + 30_000);
    return JSON.parse(line.slice("RESULT ".length)) as IngestLoadResult;
  } finally {
    await load.stop();
  }
}

type Measured = Awaited<ReturnType<typeof measuredLoad>>;

function bestRun(runs: Measured[]): Measured {
  const first = runs[0];
  if (first === undefined) throw new Error("no ingest runs");
  return runs.reduce(
    (a, b) => (b.result.requestsPerSecond > a.result.requestsPerSecond ? b : a),
    first,
  );
}

/** The environment of services started by a scenario, on a fresh Redis prefix. */
export function serviceEnv(ctx: BenchContext, token: string, label: string): ServiceEnv {
  return {
    root: ctx.root,
    token,
    apiUrl: ctx.emulator.apiUrl,
    redisUrl: ctx.redisUrl,
    redisPrefix: uniquePrefix(label),
    logLevel: ctx.logLevel,
  };
}

/** Measurement 1: the receiver against the bare server, same load generator, same run. */
export async function runIngest(ctx: BenchContext, botToken: string): Promise<void> {
  const bareServer = startProcess({
    name: "bare-server",
    script: join(ctx.distDir, "procs/bare-server.js"),
  });
  const env = serviceEnv(ctx, botToken, "bench-ingest");
  const secret = randomBytes(16).toString("hex");
  try {
    const { port } = await waitForReady<{ port: number }>(bareServer);
    const bareUrl = `http://127.0.0.1:${port}/sparkbot`;
    const receiver = await startReceiverProcess(env, { secret, register: false });
    try {
      await measureIngest(ctx, env, bareServer, bareUrl, receiver, secret);
    } finally {
      await receiver.handle.stop();
      ctx.log(`receiver wrote ${receiver.handle.lineCount()} output lines`);
    }
  } finally {
    await bareServer.stop();
    await deletePrefix(env.redisPrefix, ctx.redisUrl);
  }
}

/**
 * Both servers run at once and the loads alternate (bare, receiver, bare, receiver), so that
 * whatever else loads the machine weighs on both alike; the best run of each is kept.
 */
/** The jobs in Redis, polled until `expected` are there or 30 s passed (the journal's replay). */
async function jobsOnceLanded(
  ctx: BenchContext,
  prefix: string,
  expected: number,
): Promise<number> {
  const deadline = Date.now() + 30_000;
  let jobs = await waitingJobs(ctx.redis, prefix);
  while (jobs < expected && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 250));
    jobs = await waitingJobs(ctx.redis, prefix);
  }
  return jobs;
}

async function measureIngest(
  ctx: BenchContext,
  env: ServiceEnv,
  bareServer: ChildHandle,
  bareUrl: string,
  receiver: ReceiverProcess,
  secret: string,
): Promise<void> {
  const { rows, settings } = ctx;
  ctx.log("ingest: warm-up of both servers");
  await runIngestLoad(ctx, bareUrl, "bare", settings.ingestWarmupSeconds);
  const warm = await runIngestLoad(ctx, receiver.webhookUrl, secret, settings.ingestWarmupSeconds);
  const bareRuns: Measured[] = [];
  const receiverRuns: Measured[] = [];
  for (let round = 0; round < settings.repeats; round++) {
    ctx.log("ingest: bare node:http baseline");
    bareRuns.push(await measuredLoad(ctx, bareServer, bareUrl, "bare"));
    ctx.log("ingest: receiver");
    receiverRuns.push(await measuredLoad(ctx, receiver.handle, receiver.webhookUrl, secret));
  }
  const bareBest = bestRun(bareRuns);
  const bare = bareBest.result;
  rows.set("ingest.bare.rps", bare.requestsPerSecond, { note: bareBest.cpuNote });
  const measured = bestRun(receiverRuns);
  const run = measured.result;
  const all = [warm, ...receiverRuns.map((r) => r.result)];
  const accepted = all.reduce((sum, r) => sum + r.ok2xx, 0);
  // A 2xx can mean "journaled": under load an enqueue that passes ENQUEUE_TIMEOUT_MS is written
  // to the receiver's journal and replayed into Redis moments later. Count once it has landed.
  const jobs = await jobsOnceLanded(ctx, env.redisPrefix, accepted);
  ctx.details["ingest"] = {
    bare,
    bareRuns: bareRuns.map((r) => r.result),
    receiver: run,
    receiverRuns: receiverRuns.map((r) => r.result),
    redisCommandsPerRequest: measured.redisCommands,
    warmup: warm,
    jobsInRedis: jobs,
  };
  const ratio = ratioOf(run.requestsPerSecond, bare.requestsPerSecond);
  rows.set("ingest.receiver.rps", run.requestsPerSecond, {
    baseline: { name: "bare", value: bare.requestsPerSecond },
    ratio,
    met: ratio === null ? null : ratio >= 0.5,
    note: measured.cpuNote,
  });
  rows.set("ingest.receiver.p50", run.latencyMs.p50, {
    baseline: { name: "bare", value: bare.latencyMs.p50 },
  });
  rows.set("ingest.receiver.p99", run.latencyMs.p99, {
    baseline: { name: "bare", value: bare.latencyMs.p99 },
    met: run.latencyMs.p99 < 20,
  });
  const failed = all.reduce((sum, r) => sum + r.non2xx + r.errors + r.timeouts, 0);
  rows.set("ingest.receiver.failed", failed, { met: failed === 0 });
  const missing = Math.max(0, accepted - jobs);
  rows.set("ingest.receiver.missing", missing, {
    met: missing === 0,
    note:
      `${jobs} jobs in Redis for ${accepted} 2xx; per request Redis ran ` +
      `${sumOf(measured.redisCommands, "perRequest").toFixed(0)} commands (Lua included) in ` +
      `${sumOf(measured.redisCommands, "usecPerRequest").toFixed(0)} µs: ` +
      measured.redisCommands
        .slice(0, 4)
        .map((c) => `${c.command} ×${c.perRequest.toFixed(1)} ${c.usecPerRequest.toFixed(0)} µs`)
        .join(", "),
  });
  const perWebhook = receiverRuns.map((r) => r.serverUsPerRequest).sort((a, b) => a - b);
  const mid = perWebhook[Math.floor((perWebhook.length - 1) / 2)] ?? Number.NaN;
  const busy = receiverRuns.filter((r) => r.othersShare > 0.1).length;
  rows.set("ingest.receiver.cpu", Math.round(mid), {
    met: mid <= 60,
    note:
      `min / median / max over ${perWebhook.length} rounds: ` +
      `${perWebhook
        .map((v) => Math.round(v))
        .filter((_, i, a) => i === 0 || i === a.length - 1 || i === Math.floor((a.length - 1) / 2))
        .join(" / ")}` +
      (busy > 0 ? `; BUSY: ${busy} of ${receiverRuns.length} rounds (other processes > 10%)` : ""),
  });
  const peak = receiver.handle.peakRssMb();
  rows.set("memory.receiver.ingest", peak, { met: peak < 120 });
}
