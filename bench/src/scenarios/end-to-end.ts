import { randomBytes } from "node:crypto";
import type { ControlPerson } from "@sparkbot/emulator";
import { deletePrefix } from "@sparkbot/testkit";
import { sleep } from "../lib/net.js";
import {
  PingDriver,
  type Pinger,
  type PingRunResult,
  type ReplyAudit,
} from "../lib/ping-driver.js";
import type { ChildHandle } from "../lib/proc.js";
import { ratioOf } from "../lib/report.js";
import { bestOf } from "../lib/stats.js";
import {
  startReceiverProcess,
  startWorkerProcess,
  type ReceiverProcess,
  type ServiceEnv,
} from "../lib/services.js";
import { histogramMeanMs, scrapeSums, type MetricSums } from "../lib/metrics-scrape.js";
import { readSystemBusyMs } from "../lib/procfs.js";
import { commandsPerRequest, redisCommandStats, redisCpuMs } from "../lib/redis.js";
import type { BenchContext } from "./context.js";
import { serviceEnv } from "./ingest.js";

const E2E = "2 End to end";
const SCALING = "3 Scaling";

/** Declares the rows of measurements 2 and 3 and the worker's memory row of measurement 4. */
export function declareEndToEnd(ctx: BenchContext): void {
  const { rows, settings } = ctx;
  const rate = settings.fixedRatePerSecond;
  for (const workers of [1, 2]) {
    rows.declare({
      id: `e2e.w${workers}.rps`,
      section: E2E,
      label: `Commands/s at saturation, ${workers} worker${workers > 1 ? "s" : ""} (${settings.pingers} pings in flight)`,
      unit: "cmd/s",
      ...(workers === 2 ? { target: "≥ 500 cmd/s" } : {}),
    });
    rows.declare({
      id: `e2e.w${workers}.p50`,
      section: E2E,
      label: `Webhook-to-reply p50 at ${rate}/s, ${workers} worker${workers > 1 ? "s" : ""}`,
      unit: "ms",
      target: "< 10 ms",
    });
    rows.declare({
      id: `e2e.w${workers}.p99`,
      section: E2E,
      label: `Webhook-to-reply p99 at ${rate}/s, ${workers} worker${workers > 1 ? "s" : ""}`,
      unit: "ms",
      target: "< 50 ms",
    });
  }
  rows.declare({
    id: "e2e.lost",
    section: E2E,
    label: "Lost replies (all runs)",
    unit: "",
    target: "= 0",
  });
  rows.declare({
    id: "e2e.duplicated",
    section: E2E,
    label: "Duplicated replies (all runs)",
    unit: "",
    target: "= 0",
  });
  for (const workers of settings.workerCounts) {
    rows.declare({
      id: `scaling.w${workers}`,
      section: SCALING,
      label: `Commands/s at saturation, ${workers} worker${workers > 1 ? "s" : ""}`,
      unit: "cmd/s",
    });
  }
  rows.declare({
    id: "memory.worker.e2e",
    section: "4 Memory",
    label: "Worker peak RSS under load (highest worker)",
    unit: "MB",
    target: "< 200 MB",
  });
  rows.declare({
    id: "memory.receiver.e2e",
    section: "4 Memory",
    label: "Receiver peak RSS under end-to-end load",
    unit: "MB",
    target: "< 120 MB",
  });
}

/** Waits until the emulator holds an active `messages/created` webhook of `botId` to `targetUrl`. */
export async function waitForWebhook(
  ctx: BenchContext,
  botId: string,
  targetUrl: string,
  timeoutMs = 20_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const hooks = await ctx.control.webhooks();
    const found = hooks.some(
      (hook) =>
        hook.ownerId === botId &&
        hook.targetUrl === targetUrl &&
        hook.status !== "inactive" &&
        (hook.resource === "messages" || hook.resource === "all"),
    );
    if (found) return;
    await sleep(100);
  }
  throw new Error(`no webhook to ${targetUrl} registered within ${timeoutMs} ms`);
}

/** One configuration's figures. */
export interface WorkerRun {
  saturation: PingRunResult;
  fixedRate: PingRunResult | undefined;
  audit: ReplyAudit;
  /** CPU (ms) the workers used per command during the saturation run. */
  workerCpuMsPerCommand: number;
  /** CPU use of receiver + workers + emulator during saturation, as a share of all cores. */
  cpuShare: { receiver: number; workers: number; emulator: number; redis: number; others: number };
  /** CPU (ms) per command of each process during saturation, and the sum. */
  cpuMsPerCommand: {
    receiver: number;
    workers: number;
    emulator: number;
    redis: number;
    total: number;
  };
  /** Redis commands per bot command during saturation (receiver and workers together). */
  redisCommands: ReturnType<typeof commandsPerRequest>;
  /** Means from the workers' own metrics (ms): time in the queue, and the command run. */
  stages: { saturation: Stages; fixedRate: Stages | undefined };
  /** Every repeat (the figures above are the best of them). */
  allRuns: { saturation: PingRunResult[]; fixedRate: PingRunResult[] };
}

/** Where a command's time went, from the workers' histograms (means, ms). */
interface Stages {
  jobWaitMs: number | undefined;
  commandMs: number | undefined;
}

function stagesBetween(before: MetricSums, after: MetricSums): Stages {
  return {
    jobWaitMs: histogramMeanMs(before, after, "sparkbot_job_wait_seconds"),
    commandMs: histogramMeanMs(before, after, "sparkbot_command_duration_seconds"),
  };
}

export async function runWorkers(
  ctx: BenchContext,
  env: ServiceEnv,
  receiver: ReceiverProcess,
  driver: PingDriver,
  pingers: Pinger[],
  workers: number,
  peaks: number[],
): Promise<WorkerRun> {
  const { settings } = ctx;
  const handles: ChildHandle[] = [];
  const metricsUrls: string[] = [];
  try {
    for (let index = 1; index <= workers; index++) {
      const worker = await startWorkerProcess(env, {
        index,
        concurrency: settings.workerConcurrency,
      });
      handles.push(worker.handle);
      metricsUrls.push(worker.metricsUrl);
    }
    const before = await driver.counts(pingers);
    await driver.saturation(pingers, {
      total: settings.warmupPings,
      maxMs: settings.saturationMaxMs,
      replyTimeoutMs: settings.replyTimeoutMs,
    });
    const workerCpu = (): number => handles.reduce((sum, handle) => sum + handle.cpuMs(), 0);
    const receiverCpu0 = receiver.handle.cpuMs();
    const workerCpu0 = workerCpu();
    const selfCpu0 = process.cpuUsage();
    const redisCpu0 = await redisCpuMs(ctx.redis);
    const system0 = readSystemBusyMs() ?? 0;
    const metrics0 = await scrapeSums(metricsUrls);
    const commands0 = await redisCommandStats(ctx.redis);
    const saturations = await bestOf(
      settings.repeats,
      () =>
        driver.saturation(pingers, {
          total: settings.saturationPings,
          maxMs: settings.saturationMaxMs,
          replyTimeoutMs: settings.replyTimeoutMs,
        }),
      (run) => run.perSecond,
    );
    const saturation = saturations.best;
    const replied = saturations.runs.reduce((sum, run) => sum + run.replied, 0);
    const elapsedMs = saturations.runs.reduce((sum, run) => sum + run.elapsedMs, 0);
    const selfCpu = process.cpuUsage(selfCpu0);
    const redisCpu = (await redisCpuMs(ctx.redis)) - redisCpu0;
    const redisCommands = commandsPerRequest(
      commands0,
      await redisCommandStats(ctx.redis),
      replied,
    );
    const systemCpu = (readSystemBusyMs() ?? 0) - system0;
    const wall = elapsedMs * ctx.cores;
    const ours = {
      receiver: receiver.handle.cpuMs() - receiverCpu0,
      workers: workerCpu() - workerCpu0,
      emulator: (selfCpu.user + selfCpu.system) / 1000,
      redis: redisCpu,
    };
    const others = systemCpu - ours.receiver - ours.workers - ours.emulator - ours.redis;
    const perCommand = (ms: number): number => ms / Math.max(1, replied);
    const cpuMsPerCommand = {
      receiver: perCommand(ours.receiver),
      workers: perCommand(ours.workers),
      emulator: perCommand(ours.emulator),
      redis: perCommand(ours.redis),
      total: perCommand(ours.receiver + ours.workers + ours.emulator + ours.redis),
    };
    const cpuShare = {
      receiver: ours.receiver / wall,
      workers: ours.workers / wall,
      emulator: ours.emulator / wall,
      redis: ours.redis / wall,
      others: Math.max(0, others) / wall,
    };
    const workerCpuMsPerCommand = (workerCpu() - workerCpu0) / Math.max(1, replied);
    const metrics1 = await scrapeSums(metricsUrls);
    const fixedRates =
      workers <= 2
        ? await bestOf(
            settings.repeats,
            () =>
              driver.fixedRate(pingers, {
                perSecond: settings.fixedRatePerSecond,
                durationMs: settings.fixedRateMs,
                replyTimeoutMs: settings.replyTimeoutMs,
              }),
            (run) => -run.latencyMs.p99,
          )
        : undefined;
    const fixedRate = fixedRates?.best;
    const metrics2 = await scrapeSums(metricsUrls);
    const stages = {
      saturation: stagesBetween(metrics0, metrics1),
      fixedRate: fixedRate === undefined ? undefined : stagesBetween(metrics1, metrics2),
    };
    const audit = await driver.audit(pingers, before, settings.settleMs);
    return {
      saturation,
      fixedRate,
      audit,
      workerCpuMsPerCommand,
      cpuShare,
      cpuMsPerCommand,
      redisCommands,
      stages,
      allRuns: { saturation: saturations.runs, fixedRate: fixedRates?.runs ?? [] },
    };
  } finally {
    for (const handle of handles) peaks.push(handle.peakRssMb());
    await Promise.all(handles.map((handle) => handle.stop(10_000)));
    const lines = handles.reduce((sum, handle) => sum + handle.lineCount(), 0);
    ctx.log(
      `${workers} worker(s) wrote ${lines} output lines; last: ${handles[0]?.tail().split("\n").at(-1) ?? ""}`,
    );
  }
}

function percent(share: number): string {
  return `${Math.round(share * 100)}%`;
}

/**
 * Where the machine's CPU went during saturation: CPU per command of each process, the
 * throughput those costs allow on this machine's cores, and what other processes took.
 */
function scalingNote(
  cores: number,
  share: WorkerRun["cpuShare"],
  perCommand: WorkerRun["cpuMsPerCommand"],
): string {
  const ms = (value: number): string => value.toFixed(2);
  const bound = perCommand.total > 0 ? Math.round((cores * 1000) / perCommand.total) : 0;
  return (
    `CPU per command: workers ${ms(perCommand.workers)} ms, receiver ${ms(perCommand.receiver)} ms, ` +
    `emulator+driver ${ms(perCommand.emulator)} ms, Redis ${ms(perCommand.redis)} ms; ` +
    `${ms(perCommand.total)} ms in all bounds ${cores} cores at ~${bound} cmd/s; ` +
    `other processes took ${percent(share.others)} of the machine`
  );
}

/** Measurements 2 and 3: the ping workload through receiver, Redis and 1, 2, 4 workers. */
export async function runEndToEnd(
  ctx: BenchContext,
  bot: ControlPerson,
  pingers: Pinger[],
): Promise<void> {
  const { rows, settings } = ctx;
  const env = serviceEnv(ctx, bot.token, "bench-e2e");
  const receiver = await startReceiverProcess(env, {
    secret: randomBytes(16).toString("hex"),
    register: true,
  });
  const driver = new PingDriver(ctx.emulator, ctx.control, bot.id);
  const workerPeaks: number[] = [];
  let lost = 0;
  let duplicated = 0;
  try {
    await waitForWebhook(ctx, bot.id, receiver.webhookUrl);
    for (const workers of settings.workerCounts) {
      ctx.log(`end to end: ${workers} worker(s)`);
      const run = await runWorkers(ctx, env, receiver, driver, pingers, workers, workerPeaks);
      ctx.details[`e2e.w${workers}`] = run;
      lost += run.audit.lost;
      duplicated += run.audit.duplicated;
      const cpu = run.cpuShare;
      rows.set(`scaling.w${workers}`, run.saturation.perSecond, {
        ...(workers > 1 ? { baseline: { name: "1 worker", value: rows.get("scaling.w1") } } : {}),
        ...(workers > 1
          ? { ratio: ratioOf(run.saturation.perSecond, rows.get("scaling.w1")) }
          : {}),
        note: scalingNote(ctx.cores, cpu, run.cpuMsPerCommand),
      });
      if (workers === 1) ctx.shared.set("worker.cpuMsPerCommand", run.workerCpuMsPerCommand);
      if (workers > 2 || run.fixedRate === undefined) continue;
      const rps = run.saturation.perSecond;
      rows.set(`e2e.w${workers}.rps`, rps, workers === 2 ? { met: rps >= 500 } : {});
      const { p50, p99 } = run.fixedRate.latencyMs;
      const answered = run.fixedRate.webhookAnsweredMs;
      const stages = run.stages.fixedRate;
      const ms = (value: number | undefined): string =>
        value === undefined ? "?" : value.toFixed(1);
      rows.set(`e2e.w${workers}.p50`, p50, {
        met: p50 < 10,
        note:
          `receiver answered the webhook after ${answered.p50.toFixed(1)} ms (p50); means: ` +
          `job wait ${ms(stages?.jobWaitMs)} ms, command ${ms(stages?.commandMs)} ms`,
      });
      const loop = run.fixedRate.emulatorLoopDelayMs;
      rows.set(`e2e.w${workers}.p99`, p99, {
        met: p99 < 50,
        note:
          `receiver answered the webhook after ${answered.p99.toFixed(1)} ms (p99); the bench's ` +
          `own event loop (emulator) lagged ${loop.p99.toFixed(1)} ms at p99, ${loop.max.toFixed(0)} ms at most`,
      });
    }
    rows.set("e2e.lost", lost, { met: lost === 0 });
    rows.set("e2e.duplicated", duplicated, { met: duplicated === 0 });
    const workerPeak = Math.max(0, ...workerPeaks);
    rows.set("memory.worker.e2e", workerPeak, { met: workerPeak < 200 });
    const receiverPeak = receiver.handle.peakRssMb();
    rows.set("memory.receiver.e2e", receiverPeak, { met: receiverPeak < 120 });
  } finally {
    driver.dispose();
    await receiver.handle.stop();
    ctx.log(`receiver wrote ${receiver.handle.lineCount()} output lines`);
    await deletePrefix(env.redisPrefix, ctx.redisUrl);
  }
}
