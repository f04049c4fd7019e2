// The workers' half of measurements 2 and 3: one run of the ping workload through the receiver and
// N worker processes, with the CPU, Redis and stage figures of that run.
import { sleep } from "../lib/net.js";
import type { PingDriver, Pinger, PingRunResult, ReplyAudit } from "../lib/ping-driver.js";
import type { ChildHandle } from "../lib/proc.js";
import { bestOf } from "../lib/stats.js";
import { startWorkerProcess, type ReceiverProcess, type ServiceEnv } from "../lib/services.js";
import { histogramMeanMs, scrapeSums, type MetricSums } from "../lib/metrics-scrape.js";
import { readSystemBusyMs } from "../lib/procfs.js";
import { commandsPerRequest, redisCommandStats, redisCpuMs } from "../lib/redis.js";
import type { BenchContext } from "./context.js";

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

/**
 * Starts `workers` worker processes beside `receiver`, runs the saturation and (if set) the
 * fixed-rate ping loads through them (best of the repeats), records each worker's peak memory
 * in `peaks`, and stops the workers.
 */
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
