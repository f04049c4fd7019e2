import { randomBytes } from "node:crypto";
import { join } from "node:path";
import type { ControlPerson } from "@sparkbot/emulator";
import { deletePrefix } from "@sparkbot/testkit";
import { freePort } from "../lib/net.js";
import {
  PingDriver,
  type Pinger,
  type PingRunResult,
  type ReplyAudit,
} from "../lib/ping-driver.js";
import { startProcess, waitForReady, type ChildHandle } from "../lib/proc.js";
import { redisCpuMs } from "../lib/redis.js";
import { startReceiverProcess, startWorkerProcess } from "../lib/services.js";
import { readSystemBusyMs } from "../lib/procfs.js";
import { ratioOf } from "../lib/report.js";
import type { PeerBotOptions } from "../procs/peer-bot.js";
import type { BenchContext } from "./context.js";
import { waitForWebhook } from "./worker-runs.js";
import { serviceEnv } from "./ingest.js";

const SECTION = "5 Against the peer";

/** Declares the rows of measurement 5. */
export function declarePeer(ctx: BenchContext): void {
  const rate = ctx.settings.fixedRatePerSecond;
  const rows = ctx.rows;
  rows.declare({
    id: "peer.rps.w1",
    section: SECTION,
    label: "Commands/s at saturation: SparkBot (1 worker) vs webex-node-bot-framework, alternated",
    unit: "cmd/s",
    target: "ratio > 1 (ahead)",
  });
  rows.declare({
    id: "peer.rps.w2",
    section: SECTION,
    label: "Commands/s at saturation: SparkBot (2 workers) vs webex-node-bot-framework",
    unit: "cmd/s",
  });
  rows.declare({
    id: "peer.p50",
    section: SECTION,
    label: `Latency p50 at ${rate}/s: SparkBot (1 worker) vs peer; ratio = peer ÷ SparkBot`,
    unit: "ms",
    target: "ratio > 1 (ahead)",
  });
  rows.declare({
    id: "peer.p99",
    section: SECTION,
    label: `Latency p99 at ${rate}/s: SparkBot (1 worker) vs peer; ratio = peer ÷ SparkBot`,
    unit: "ms",
    target: "ratio > 1 (ahead)",
  });
  rows.declare({
    id: "peer.failures",
    section: SECTION,
    label: "Lost + duplicated replies in this phase (peer and SparkBot)",
    unit: "",
  });
  rows.declare({
    id: "memory.peer",
    section: "4 Memory",
    label: "Peer (webex-node-bot-framework) peak RSS, for comparison",
    unit: "MB",
  });
}

/** One bot stack driven by its own pingers, with a CPU meter over its own runs. */
interface Contender {
  name: string;
  driver: PingDriver;
  pingers: Pinger[];
  /** CPU (ms) used so far by the stack's processes (Redis included for SparkBot). */
  cpuMs: () => Promise<number>;
  spentCpuMs: number;
  saturation: PingRunResult[];
  fixedRate: PingRunResult[];
}

async function metered(
  contender: Contender,
  run: () => Promise<PingRunResult>,
): Promise<PingRunResult> {
  const before = await contender.cpuMs();
  const result = await run();
  contender.spentCpuMs += (await contender.cpuMs()) - before;
  return result;
}

/** Saturation and fixed-rate runs, alternating between the contenders, `repeats` rounds each. */
async function interleave(ctx: BenchContext, contenders: Contender[]): Promise<void> {
  const { settings } = ctx;
  for (const contender of contenders) {
    await contender.driver.saturation(contender.pingers, {
      total: settings.warmupPings,
      maxMs: settings.saturationMaxMs,
      replyTimeoutMs: settings.replyTimeoutMs,
    });
  }
  for (let round = 0; round < settings.repeats; round++) {
    for (const contender of contenders) {
      ctx.log(`peer phase: ${contender.name} at saturation`);
      contender.saturation.push(
        await metered(contender, () =>
          contender.driver.saturation(contender.pingers, {
            total: settings.saturationPings,
            maxMs: settings.saturationMaxMs,
            replyTimeoutMs: settings.replyTimeoutMs,
          }),
        ),
      );
    }
  }
  for (let round = 0; round < settings.repeats; round++) {
    for (const contender of contenders) {
      ctx.log(`peer phase: ${contender.name} at ${settings.fixedRatePerSecond}/s`);
      contender.fixedRate.push(
        await metered(contender, () =>
          contender.driver.fixedRate(contender.pingers, {
            perSecond: settings.fixedRatePerSecond,
            durationMs: settings.fixedRateMs,
            replyTimeoutMs: settings.replyTimeoutMs,
          }),
        ),
      );
    }
  }
}

function best(runs: PingRunResult[], score: (run: PingRunResult) => number): PingRunResult {
  const first = runs[0];
  if (first === undefined) throw new Error("no runs");
  return runs.reduce((a, b) => (score(b) > score(a) ? b : a), first);
}

/** Starts the peer process and waits until its framework is initialized and its webhook exists. */
export async function startPeer(
  ctx: BenchContext,
  bot: ControlPerson,
  peopleBatcherWaitMs?: number,
): Promise<ChildHandle> {
  const port = await freePort();
  const options: PeerBotOptions = {
    token: bot.token,
    secret: randomBytes(16).toString("hex"),
    port,
    ...(peopleBatcherWaitMs !== undefined ? { peopleBatcherWaitMs } : {}),
  };
  const peer = startProcess({
    name: peopleBatcherWaitMs === undefined ? "peer" : "peer-tuned",
    script: join(ctx.distDir, "procs/peer-bot.js"),
    args: [JSON.stringify(options)],
    env: {
      HYDRA_SERVICE_URL: ctx.emulator.apiUrl,
      U2C_SERVICE_URL: `${ctx.emulator.url}/u2c/api/v1`,
      NODE_ENV: "production",
    },
  });
  await waitForReady(peer, 60_000);
  await waitForWebhook(ctx, bot.id, `http://127.0.0.1:${port}/`);
  return peer;
}

/**
 * Measurement 5: the same ping workload, on the same emulator, through `webex-node-bot-framework`
 * in webhook mode (one process) and through SparkBot (receiver + 1 worker + Redis), both running
 * at once and driven in alternation, so that whatever else loads the machine weighs on both.
 */
export async function runPeer(
  ctx: BenchContext,
  peerBot: ControlPerson,
  peerPingers: Pinger[],
  sparkBot: ControlPerson,
  ourPingers: Pinger[],
): Promise<void> {
  const { rows, settings } = ctx;
  const env = serviceEnv(ctx, sparkBot.token, "bench-peer");
  const receiver = await startReceiverProcess(env, {
    secret: randomBytes(16).toString("hex"),
    register: true,
  });
  const handles: ChildHandle[] = [receiver.handle];
  const drivers: PingDriver[] = [];
  try {
    await waitForWebhook(ctx, sparkBot.id, receiver.webhookUrl);
    const worker = await startWorkerProcess(env, {
      index: 1,
      concurrency: settings.workerConcurrency,
    });
    handles.push(worker.handle);
    const peer = await startPeer(ctx, peerBot);
    handles.push(peer);
    const ours: Contender = {
      name: "SparkBot",
      driver: new PingDriver(ctx.emulator, ctx.control, sparkBot.id),
      pingers: ourPingers,
      cpuMs: async () =>
        receiver.handle.cpuMs() + worker.handle.cpuMs() + (await redisCpuMs(ctx.redis)),
      spentCpuMs: 0,
      saturation: [],
      fixedRate: [],
    };
    const theirs: Contender = {
      name: "peer",
      driver: new PingDriver(ctx.emulator, ctx.control, peerBot.id),
      pingers: peerPingers,
      cpuMs: () => Promise.resolve(peer.cpuMs()),
      spentCpuMs: 0,
      saturation: [],
      fixedRate: [],
    };
    drivers.push(ours.driver, theirs.driver);
    const before = [await ours.driver.counts(ourPingers), await theirs.driver.counts(peerPingers)];
    const system0 = readSystemBusyMs() ?? 0;
    const started = Date.now();
    await interleave(ctx, [ours, theirs]);
    const othersShare =
      ((readSystemBusyMs() ?? 0) - system0 - ours.spentCpuMs - theirs.spentCpuMs) /
      ((Date.now() - started) * ctx.cores);
    const audits = [
      await ours.driver.audit(ourPingers, before[0] ?? new Map(), settings.settleMs),
      await theirs.driver.audit(peerPingers, before[1] ?? new Map(), 0),
    ];
    const runsOf = (c: Contender): object => ({
      saturation: c.saturation,
      fixedRate: c.fixedRate,
      spentCpuMs: c.spentCpuMs,
    });
    ctx.details["peer"] = { sparkbot: runsOf(ours), peer: runsOf(theirs), audits, othersShare };
    setRows(ctx, ours, theirs, othersShare);
    const [ourAudit, theirAudit] = audits;
    const failures = (audit: ReplyAudit | undefined): number =>
      (audit?.lost ?? 0) + (audit?.duplicated ?? 0);
    rows.set("peer.failures", failures(ourAudit) + failures(theirAudit), {
      note:
        `peer: lost ${theirAudit?.lost}, duplicated ${theirAudit?.duplicated}; ` +
        `SparkBot: lost ${ourAudit?.lost}, duplicated ${ourAudit?.duplicated}`,
    });
    rows.set("memory.peer", peer.peakRssMb());
  } finally {
    for (const driver of drivers) driver.dispose();
    await Promise.all(handles.map((handle) => handle.stop()));
    await deletePrefix(env.redisPrefix, ctx.redisUrl);
  }
}

function setRows(ctx: BenchContext, ours: Contender, theirs: Contender, othersShare: number): void {
  const { rows } = ctx;
  const ourSat = best(ours.saturation, (run) => run.perSecond);
  const theirSat = best(theirs.saturation, (run) => run.perSecond);
  const perCommand = (contender: Contender): string => {
    const replies = [...contender.saturation, ...contender.fixedRate].reduce(
      (sum, run) => sum + run.replied,
      0,
    );
    return (contender.spentCpuMs / Math.max(1, replies)).toFixed(2);
  };
  const ratio = ratioOf(ourSat.perSecond, theirSat.perSecond);
  rows.set("peer.rps.w1", ourSat.perSecond, {
    baseline: { name: "peer", value: theirSat.perSecond },
    ratio,
    met: ratio === null ? null : ratio > 1,
    note:
      `runs alternated; CPU per command: SparkBot ${perCommand(ours)} ms (receiver + worker + Redis), ` +
      `peer ${perCommand(theirs)} ms; other processes took ${Math.round(Math.max(0, othersShare) * 100)}% of the machine`,
  });
  rows.set("peer.rps.w2", rows.get("e2e.w2.rps"), {
    baseline: { name: "peer", value: theirSat.perSecond },
    ratio: ratioOf(rows.get("e2e.w2.rps"), theirSat.perSecond),
    note: "SparkBot figure from measurement 2 (not alternated)",
  });
  const ourFixed = best(ours.fixedRate, (run) => -run.latencyMs.p99);
  const theirFixed = best(theirs.fixedRate, (run) => -run.latencyMs.p99);
  for (const quantile of ["p50", "p99"] as const) {
    const value = ourFixed.latencyMs[quantile];
    const baseline = theirFixed.latencyMs[quantile];
    const latencyRatio = ratioOf(baseline, value);
    rows.set(`peer.${quantile}`, value, {
      baseline: { name: "peer", value: baseline },
      ratio: latencyRatio,
      met: latencyRatio === null ? null : latencyRatio > 1,
      note:
        `webhook answered after: SparkBot ${ourFixed.webhookAnsweredMs[quantile].toFixed(1)} ms, ` +
        `peer ${theirFixed.webhookAnsweredMs[quantile].toFixed(1)} ms`,
    });
  }
}
