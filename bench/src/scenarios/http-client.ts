import { randomBytes } from "node:crypto";
import type { ControlPerson } from "@sparkbot/emulator";
import { deletePrefix } from "@sparkbot/testkit";
import { PingDriver, type Pinger } from "../lib/ping-driver.js";
import { ratioOf } from "../lib/report.js";
import { startReceiverProcess } from "../lib/services.js";
import type { BenchContext } from "./context.js";
import { runWorkers, waitForWebhook, type WorkerRun } from "./worker-runs.js";
import { serviceEnv } from "./ingest.js";

const SECTION = "6 Webex client cost";

/** Declares the rows of the end-to-end run with `WEBEX_CLIENT=http`. */
export function declareHttpClientRun(ctx: BenchContext): void {
  const rate = ctx.settings.fixedRatePerSecond;
  const rows = ctx.rows;
  rows.declare({
    id: "e2e.http.rps",
    section: SECTION,
    label: "End to end with WEBEX_CLIENT=http, 2 workers: commands/s at saturation vs SDK",
    unit: "cmd/s",
  });
  for (const quantile of ["p50", "p99"] as const) {
    rows.declare({
      id: `e2e.http.${quantile}`,
      section: SECTION,
      label: `End to end with WEBEX_CLIENT=http, 2 workers: ${quantile} at ${rate}/s vs SDK`,
      unit: "ms",
    });
  }
  rows.declare({
    id: "e2e.http.failures",
    section: SECTION,
    label: "End to end with WEBEX_CLIENT=http: lost + duplicated replies",
    unit: "",
    target: "= 0",
  });
  rows.declare({
    id: "memory.worker.http",
    section: "4 Memory",
    label: "Worker peak RSS under load with WEBEX_CLIENT=http vs SDK",
    unit: "MB",
    target: "< 200 MB",
  });
  rows.declare({
    id: "memory.receiver.http",
    section: "4 Memory",
    label: "Receiver peak RSS under end-to-end load with WEBEX_CLIENT=http vs SDK",
    unit: "MB",
    target: "< 120 MB",
  });
}

/**
 * The 2-worker end-to-end run again with both services on core's plain HTTP client
 * (`WEBEX_CLIENT=http`), the fix measurement 6 proposes, against the SDK figures of measurement 2.
 */
export async function runHttpClient(
  ctx: BenchContext,
  bot: ControlPerson,
  pingers: Pinger[],
): Promise<void> {
  const { rows } = ctx;
  const env = { ...serviceEnv(ctx, bot.token, "bench-http"), webexClient: "http" as const };
  const receiver = await startReceiverProcess(env, {
    secret: randomBytes(16).toString("hex"),
    register: true,
  });
  const driver = new PingDriver(ctx.emulator, ctx.control, bot.id);
  const peaks: number[] = [];
  try {
    await waitForWebhook(ctx, bot.id, receiver.webhookUrl);
    const run = await runWorkers(ctx, env, receiver, driver, pingers, 2, peaks);
    ctx.details["e2e.http.w2"] = run;
    const sdkRun = ctx.details["e2e.w2"] as WorkerRun | undefined;
    const sdk = (id: string): { name: string; value: number | null } => ({
      name: "SDK",
      value: rows.get(id),
    });
    rows.set("e2e.http.rps", run.saturation.perSecond, {
      baseline: sdk("e2e.w2.rps"),
      ratio: ratioOf(run.saturation.perSecond, rows.get("e2e.w2.rps")),
      note:
        `workers' CPU per command ${run.cpuMsPerCommand.workers.toFixed(2)} ms ` +
        `(SDK run: ${sdkRun?.cpuMsPerCommand.workers.toFixed(2) ?? "?"} ms); ` +
        `all processes ${run.cpuMsPerCommand.total.toFixed(2)} ms ` +
        `(SDK run: ${sdkRun?.cpuMsPerCommand.total.toFixed(2) ?? "?"} ms)`,
    });
    for (const quantile of ["p50", "p99"] as const) {
      const value = run.fixedRate?.latencyMs[quantile] ?? null;
      rows.set(`e2e.http.${quantile}`, value, {
        baseline: sdk(`e2e.w2.${quantile}`),
        ratio: ratioOf(value, rows.get(`e2e.w2.${quantile}`)),
      });
    }
    const failures = run.audit.lost + run.audit.duplicated;
    rows.set("e2e.http.failures", failures, {
      met: failures === 0,
      note: `lost ${run.audit.lost}, duplicated ${run.audit.duplicated}`,
    });
    const workerPeak = Math.max(0, ...peaks);
    rows.set("memory.worker.http", workerPeak, {
      baseline: sdk("memory.worker.e2e"),
      met: workerPeak < 200,
    });
    const receiverPeak = receiver.handle.peakRssMb();
    rows.set("memory.receiver.http", receiverPeak, {
      baseline: sdk("memory.receiver.e2e"),
      met: receiverPeak < 120,
    });
  } finally {
    driver.dispose();
    await receiver.handle.stop();
    await deletePrefix(env.redisPrefix, ctx.redisUrl);
  }
}
