import { randomBytes } from "node:crypto";
import { join } from "node:path";
import type { ControlPerson } from "@sparkbot/emulator";
import { freePort } from "../lib/net.js";
import { PingDriver, type Pinger } from "../lib/ping-driver.js";
import { startProcess, waitForReady } from "../lib/proc.js";
import { readSystemBusyMs } from "../lib/procfs.js";
import { ratioOf } from "../lib/report.js";
import { bestOf } from "../lib/stats.js";
import type { PeerBotOptions } from "../procs/peer-bot.js";
import type { BenchContext } from "./context.js";
import { waitForWebhook } from "./end-to-end.js";

const SECTION = "5 Against the peer";

/** Declares the rows of measurement 5. */
export function declarePeer(ctx: BenchContext): void {
  const rate = ctx.settings.fixedRatePerSecond;
  const rows = ctx.rows;
  rows.declare({
    id: "peer.rps.w1",
    section: SECTION,
    label: "Commands/s at saturation: SparkBot (1 worker) vs webex-node-bot-framework",
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
    label: "Peer: lost + duplicated replies",
    unit: "",
  });
  rows.declare({
    id: "memory.peer",
    section: "4 Memory",
    label: "Peer (webex-node-bot-framework) peak RSS, for comparison",
    unit: "MB",
  });
}

/**
 * Measurement 5: the same ping workload, on the same emulator, through `webex-node-bot-framework`
 * in webhook mode (one process), compared with SparkBot's figures from measurement 2.
 */
export async function runPeer(
  ctx: BenchContext,
  bot: ControlPerson,
  pingers: Pinger[],
): Promise<void> {
  const { rows, settings } = ctx;
  const port = await freePort();
  const options: PeerBotOptions = {
    token: bot.token,
    secret: randomBytes(16).toString("hex"),
    port,
  };
  const peer = startProcess({
    name: "peer",
    script: join(ctx.distDir, "procs/peer-bot.js"),
    args: [JSON.stringify(options)],
    env: {
      HYDRA_SERVICE_URL: ctx.emulator.apiUrl,
      U2C_SERVICE_URL: `${ctx.emulator.url}/u2c/api/v1`,
      NODE_ENV: "production",
    },
  });
  const driver = new PingDriver(ctx.emulator, ctx.control, bot.id);
  try {
    await waitForReady(peer, 60_000);
    await waitForWebhook(ctx, bot.id, `http://127.0.0.1:${port}/`);
    const before = await driver.counts(pingers);
    await driver.saturation(pingers, {
      total: settings.warmupPings,
      maxMs: settings.saturationMaxMs,
      replyTimeoutMs: settings.replyTimeoutMs,
    });
    ctx.log("peer: saturation");
    const peerCpu0 = peer.cpuMs();
    const selfCpu0 = process.cpuUsage();
    const system0 = readSystemBusyMs() ?? 0;
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
    const wall = saturations.runs.reduce((sum, run) => sum + run.elapsedMs, 0) * ctx.cores;
    const peerCpu = peer.cpuMs() - peerCpu0;
    const selfCpu = process.cpuUsage(selfCpu0);
    const emulatorCpu = (selfCpu.user + selfCpu.system) / 1000;
    const othersCpu = (readSystemBusyMs() ?? 0) - system0 - peerCpu - emulatorCpu;
    const cpuNote =
      `peer run, CPU of ${ctx.cores} cores: peer ${Math.round((peerCpu / wall) * 100)}%, ` +
      `emulator+driver ${Math.round((emulatorCpu / wall) * 100)}%, ` +
      `other processes ${Math.round((Math.max(0, othersCpu) / wall) * 100)}%`;
    ctx.log(`peer: fixed rate ${settings.fixedRatePerSecond}/s`);
    const fixedRates = await bestOf(
      settings.repeats,
      () =>
        driver.fixedRate(pingers, {
          perSecond: settings.fixedRatePerSecond,
          durationMs: settings.fixedRateMs,
          replyTimeoutMs: settings.replyTimeoutMs,
        }),
      (run) => -run.latencyMs.p99,
    );
    const fixed = fixedRates.best;
    const audit = await driver.audit(pingers, before, settings.settleMs);
    ctx.details["peer"] = {
      saturation,
      fixedRate: fixed,
      audit,
      allRuns: { saturation: saturations.runs, fixedRate: fixedRates.runs },
    };

    const peerRps = saturation.perSecond;
    const w1 = rows.get("e2e.w1.rps");
    const w1Ratio = ratioOf(w1, peerRps);
    rows.set("peer.rps.w1", w1, {
      baseline: { name: "peer", value: peerRps },
      ratio: w1Ratio,
      met: w1Ratio === null ? null : w1Ratio > 1,
      note: cpuNote,
    });
    rows.set("peer.rps.w2", rows.get("e2e.w2.rps"), {
      baseline: { name: "peer", value: peerRps },
      ratio: ratioOf(rows.get("e2e.w2.rps"), peerRps),
    });
    for (const quantile of ["p50", "p99"] as const) {
      const ours = rows.get(`e2e.w1.${quantile}`);
      const theirs = fixed.latencyMs[quantile];
      const ratio = ratioOf(theirs, ours);
      rows.set(`peer.${quantile}`, ours, {
        baseline: { name: "peer", value: theirs },
        ratio,
        met: ratio === null ? null : ratio > 1,
        note: `peer answered the webhook after ${fixed.webhookAnsweredMs[quantile].toFixed(1)} ms`,
      });
    }
    rows.set("peer.failures", audit.lost + audit.duplicated, {
      note: `lost ${audit.lost}, duplicated ${audit.duplicated}`,
    });
    rows.set("memory.peer", peer.peakRssMb());
  } finally {
    driver.dispose();
    await peer.stop();
  }
}
