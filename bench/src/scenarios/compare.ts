import { randomBytes } from "node:crypto";
import { join } from "node:path";
import type { ControlPerson } from "@sparkbot/emulator";
import { deletePrefix } from "@sparkbot/testkit";
import { freePort } from "../lib/net.js";
import { PingDriver, type Pinger, type ReplyAudit } from "../lib/ping-driver.js";
import { startProcess, waitForReady, type ChildHandle } from "../lib/proc.js";
import { readRssMb, readSystemBusyMs } from "../lib/procfs.js";
import { redisCpuMs } from "../lib/redis.js";
import { createBot, createPingers } from "../lib/scene.js";
import { startReceiverProcess, startWorkerProcess } from "../lib/services.js";
import type { IdealBotOptions } from "../procs/ideal-bot.js";
import type { BenchContext } from "./context.js";
import { NODE_FLAGS, setCompareRows } from "./compare-rows.js";
import { serviceEnv } from "./ingest.js";
import { startPeer } from "./peer.js";
import { waitForWebhook } from "./worker-runs.js";

/**
 * The headline comparison (issue 17): every stack answers the same `ping` workload on the same
 * emulator, each with its own bot and 64 direct rooms, in alternated rounds (stack A, B, C… then
 * again), `repeats` rounds; each figure is reported as min / median / max over the rounds.
 * CPU per command counts the stack's own processes, plus Redis for SparkBot (nothing else uses
 * it meanwhile). A round in which other processes took more than 10% of the machine is busy.
 */

/** One measured round of one stack. */
export interface StackRound {
  perSecond: number;
  cpuMsPerCommand: number;
  redisMsPerCommand: number;
  /** The workers' share of it (SparkBot), for the client-cost estimate. */
  workerMsPerCommand: number;
  p50Ms: number;
  /** The share of the machine other processes took during the run (0–1). */
  othersShare: number;
}

/** One fixed-rate round of one stack. */
export interface RateRound {
  p50Ms: number;
  p99Ms: number;
  othersShare: number;
}

export interface Stack {
  id: string;
  name: string;
  driver: PingDriver;
  pingers: Pinger[];
  processes: ChildHandle[];
  usesRedis: boolean;
  saturation: StackRound[];
  fixedRate: RateRound[];
  /** RSS (MB) of each process once started, before any load. */
  idleRssMb: Record<string, number>;
  audit?: ReplyAudit;
  /** Only driven at the fixed rate (the 2-worker latency row). */
  rateOnly?: boolean;
}

const V8_DEFAULTS_NAME = `SparkBot without ${NODE_FLAGS} (1 worker)`;

async function sparkBotStack(
  ctx: BenchContext,
  id: string,
  name: string,
  options: { workers: number; ordering: boolean; rateOnly?: boolean; nodeArgs?: string[] },
  prefixes: string[],
): Promise<Stack> {
  const bot = await createBot(ctx.control, `SB ${id}`);
  const pingers = await createPingers(ctx.control, bot, ctx.settings.pingers, `cmp-${id}`);
  const env = serviceEnv(ctx, bot.token, `bench-${id}`);
  prefixes.push(env.redisPrefix);
  const extra = { ROOM_ORDERING: options.ordering ? "true" : "false" };
  const receiver = await startReceiverProcess(env, {
    secret: randomBytes(16).toString("hex"),
    register: true,
    name: `${id}-receiver`,
    env: extra,
    ...(options.nodeArgs !== undefined ? { nodeArgs: options.nodeArgs } : {}),
  });
  const processes = [receiver.handle];
  await waitForWebhook(ctx, bot.id, receiver.webhookUrl);
  for (let index = 1; index <= options.workers; index++) {
    const worker = await startWorkerProcess(env, {
      index,
      concurrency: ctx.settings.workerConcurrency,
      env: extra,
      ...(options.nodeArgs !== undefined ? { nodeArgs: options.nodeArgs } : {}),
    });
    processes.push(worker.handle);
  }

  return stackOf(ctx, id, name, bot, pingers, processes, true, options.rateOnly);
}

async function peerStack(
  ctx: BenchContext,
  id: string,
  name: string,
  batcherWaitMs?: number,
): Promise<Stack> {
  const bot = await createBot(ctx.control, `Peer ${id}`);
  const pingers = await createPingers(ctx.control, bot, ctx.settings.pingers, `cmp-${id}`);
  const peer = await startPeer(ctx, bot, batcherWaitMs);
  return stackOf(ctx, id, name, bot, pingers, [peer], false);
}

async function idealStack(ctx: BenchContext): Promise<Stack> {
  const bot = await createBot(ctx.control, "Ideal");
  const pingers = await createPingers(ctx.control, bot, ctx.settings.pingers, "cmp-ideal");
  const options: IdealBotOptions = {
    token: bot.token,
    apiUrl: ctx.emulator.apiUrl,
    port: await freePort(),
    botId: bot.id,
  };
  const ideal = startProcess({
    name: "ideal",
    script: join(ctx.distDir, "procs/ideal-bot.js"),
    args: [JSON.stringify(options)],
  });
  await waitForReady(ideal, 20_000);
  return stackOf(ctx, "ideal", "no-queue bot (node:http → fetch message → reply)", bot, pingers, [
    ideal,
  ]);
}

function stackOf(
  ctx: BenchContext,
  id: string,
  name: string,
  bot: ControlPerson,
  pingers: Pinger[],
  processes: ChildHandle[],
  usesRedis = false,
  rateOnly = false,
): Stack {
  const idleRssMb: Record<string, number> = {};
  for (const handle of processes) idleRssMb[handle.name] = readRssMb(handle.pid) ?? 0;
  return {
    id,
    name,
    driver: new PingDriver(ctx.emulator, ctx.control, bot.id),
    pingers,
    processes,
    usesRedis,
    saturation: [],
    fixedRate: [],
    idleRssMb,
    rateOnly,
  };
}

/** CPU (ms) of the stack's processes, Redis (ms, 0 for stacks without), the machine's busy ms. */
async function meter(ctx: BenchContext, stack: Stack) {
  const own = stack.processes.reduce((sum, handle) => sum + handle.cpuMs(), 0);
  const workers = stack.processes
    .filter((handle) => handle.name.startsWith("worker"))
    .reduce((sum, handle) => sum + handle.cpuMs(), 0);
  const redis = stack.usesRedis ? await redisCpuMs(ctx.redis) : 0;
  const bench = process.cpuUsage();
  return {
    own,
    workers,
    redis,
    bench: (bench.user + bench.system) / 1000,
    system: readSystemBusyMs() ?? 0,
    at: Date.now(),
  };
}

type Meter = Awaited<ReturnType<typeof meter>>;

function othersShareOf(ctx: BenchContext, before: Meter, after: Meter): number {
  const known =
    after.own - before.own + (after.redis - before.redis) + (after.bench - before.bench);
  const wall = Math.max(1, after.at - before.at) * ctx.cores;
  return Math.max(0, (after.system - before.system - known) / wall);
}

async function saturationRound(ctx: BenchContext, stack: Stack): Promise<StackRound> {
  const { settings } = ctx;
  const before = await meter(ctx, stack);
  const run = await stack.driver.saturation(stack.pingers, {
    total: settings.saturationPings,
    maxMs: settings.saturationMaxMs,
    replyTimeoutMs: settings.replyTimeoutMs,
  });
  const after = await meter(ctx, stack);
  const commands = Math.max(1, run.replied);
  const redisMs = after.redis - before.redis;
  return {
    perSecond: run.perSecond,
    cpuMsPerCommand: (after.own - before.own + redisMs) / commands,
    redisMsPerCommand: redisMs / commands,
    workerMsPerCommand: (after.workers - before.workers) / commands,
    p50Ms: run.latencyMs.p50,
    othersShare: othersShareOf(ctx, before, after),
  };
}

async function rateRound(ctx: BenchContext, stack: Stack): Promise<RateRound> {
  const { settings } = ctx;
  const before = await meter(ctx, stack);
  const run = await stack.driver.fixedRate(stack.pingers, {
    perSecond: settings.fixedRatePerSecond,
    durationMs: settings.fixedRateMs,
    replyTimeoutMs: settings.replyTimeoutMs,
  });
  const after = await meter(ctx, stack);
  return {
    p50Ms: run.latencyMs.p50,
    p99Ms: run.latencyMs.p99,
    othersShare: othersShareOf(ctx, before, after),
  };
}

/** Runs the comparison: start every stack, warm each up, then alternated rounds. */
export async function runCompare(ctx: BenchContext): Promise<void> {
  const { settings } = ctx;
  const stacks: Stack[] = [];
  const prefixes: string[] = [];
  try {
    ctx.log("compare: starting the stacks");
    stacks.push(
      await sparkBotStack(
        ctx,
        "sb",
        "SparkBot (1 worker)",
        { workers: 1, ordering: true },
        prefixes,
      ),
    );
    stacks.push(
      await sparkBotStack(
        ctx,
        "sb-unordered",
        "SparkBot, ROOM_ORDERING=off (1 worker)",
        {
          workers: 1,
          ordering: false,
        },
        prefixes,
      ),
    );
    stacks.push(
      await sparkBotStack(
        ctx,
        "sb-v8",
        V8_DEFAULTS_NAME,
        { workers: 1, ordering: true, nodeArgs: [] },
        prefixes,
      ),
    );
    stacks.push(
      await sparkBotStack(
        ctx,
        "sb-w2",
        "SparkBot (2 workers)",
        {
          workers: 2,
          ordering: true,
          rateOnly: true,
        },
        prefixes,
      ),
    );
    stacks.push(await peerStack(ctx, "peer", "webex-node-bot-framework, as it ships"));
    stacks.push(
      await peerStack(ctx, "peer-tuned", "webex-node-bot-framework, people batcher at 1 ms", 1),
    );
    stacks.push(await idealStack(ctx));
    const before = new Map<string, Awaited<ReturnType<PingDriver["counts"]>>>();
    for (const stack of stacks) {
      before.set(stack.id, await stack.driver.counts(stack.pingers));
      ctx.log(`compare: warm-up of ${stack.name}`);
      await stack.driver.saturation(stack.pingers, {
        total: settings.warmupPings,
        maxMs: settings.saturationMaxMs,
        replyTimeoutMs: settings.replyTimeoutMs,
      });
    }
    for (let round = 1; round <= settings.repeats; round++) {
      for (const stack of stacks.filter((s) => s.rateOnly !== true)) {
        ctx.log(`compare: round ${round}, ${stack.name} at saturation`);
        stack.saturation.push(await saturationRound(ctx, stack));
      }
      for (const stack of stacks) {
        ctx.log(`compare: round ${round}, ${stack.name} at ${settings.fixedRatePerSecond}/s`);
        stack.fixedRate.push(await rateRound(ctx, stack));
      }
    }
    for (const stack of stacks) {
      stack.audit = await stack.driver.audit(
        stack.pingers,
        before.get(stack.id) ?? new Map(),
        stack.usesRedis ? settings.settleMs : 0,
      );
    }
    ctx.details["compare"] = stacks.map((stack) => ({
      id: stack.id,
      name: stack.name,
      saturation: stack.saturation,
      fixedRate: stack.fixedRate,
      idleRssMb: stack.idleRssMb,
      peakRssMb: Object.fromEntries(stack.processes.map((h) => [h.name, h.peakRssMb()])),
      audit: stack.audit,
    }));
    const workerMs = (stacks[0]?.saturation ?? [])
      .map((r) => r.workerMsPerCommand)
      .sort((a, b) => a - b);
    const middle = workerMs[Math.floor((workerMs.length - 1) / 2)];
    if (middle !== undefined) ctx.shared.set("worker.cpuMsPerCommand", middle);
    setCompareRows(ctx, stacks);
  } finally {
    for (const stack of stacks) stack.driver.dispose();
    await Promise.all(stacks.flatMap((stack) => stack.processes.map((handle) => handle.stop())));
    for (const prefix of prefixes) await deletePrefix(prefix, ctx.redisUrl);
  }
}
