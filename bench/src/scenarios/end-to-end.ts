import { randomBytes } from "node:crypto";
import type { ControlPerson } from "@sparkbot/emulator";
import { deletePrefix } from "@sparkbot/testkit";
import { PingDriver, type Pinger } from "../lib/ping-driver.js";
import { ratioOf } from "../lib/report.js";
import { startReceiverProcess } from "../lib/services.js";
import type { BenchContext } from "./context.js";
import { serviceEnv } from "./ingest.js";
import { runWorkers, waitForWebhook, type WorkerRun } from "./worker-runs.js";

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
