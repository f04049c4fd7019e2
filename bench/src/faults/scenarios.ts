// The faults, one scenario each: what is done to the stack while the burst is sent, and when the
// fault began and ended (performance.now()), for the time to recover.
import { performance } from "node:perf_hooks";
import { sleep } from "../lib/net.js";
import { scrapeSamples } from "./metrics.js";
import { RESIDUAL_SCENARIOS } from "./residual-scenarios.js";
import type { FaultContext, Scenario } from "./scenario-types.js";
import { WEBEX_MIXED, WEBEX_SCENARIOS } from "./webex-faults.js";

export type { BurstProgress, FaultContext, FaultWindow, Scenario } from "./scenario-types.js";

/**
 * kill -9 of worker `index` once `fraction` of the burst is out and it has jobs in flight (or
 * 3 s passed), restarted `downMs` later. Resolves with when it was killed.
 */
async function killWorker(
  ctx: FaultContext,
  index: number,
  fraction: number,
  downMs: number,
): Promise<number> {
  await ctx.progress.reached(fraction);
  const worker = ctx.stack.workers[index];
  let inFlight = 0;
  const deadline = performance.now() + 3_000;
  while (worker !== undefined && performance.now() < deadline) {
    inFlight = (await scrapeSamples(worker.metricsUrl)).get("sparkbot_jobs_in_flight") ?? 0;
    if (inFlight > 0) break;
    await sleep(20);
  }
  ctx.note(`worker-${index + 1} jobs in flight at kill`, inFlight);
  await ctx.stack.killWorker(index);
  const killedAt = performance.now();
  await sleep(downMs);
  await ctx.stack.startWorker(index);
  return killedAt;
}

/** Every scenario, in the order they run. */
export const SCENARIOS: Scenario[] = [
  {
    id: "worker-kill",
    item: "a",
    fault: "kill -9 of a worker mid-stream (each worker once), restarted after 1 s",
    modes: ["full", "quick"],
    async inject(ctx) {
      const first = await killWorker(ctx, 0, 0.25, 1_000);
      const second = await killWorker(ctx, 1, 0.6, 1_000);
      return { start: first, end: performance.now(), recoverFrom: [first, second] };
    },
  },
  {
    id: "redis-crash",
    item: "b",
    fault: "kill -9 of Redis (AOF, appendfsync always), restarted at once on its directory",
    modes: ["full", "quick"],
    async inject(ctx) {
      await ctx.progress.reached(0.3);
      const start = performance.now();
      await ctx.stack.redis.crash();
      await ctx.stack.redis.start();
      return { start, end: performance.now() };
    },
  },
  {
    id: "redis-down-5s",
    item: "c",
    fault: "Redis down for 5 s (killed, restarted 5 s later)",
    modes: ["full", "quick"],
    async inject(ctx) {
      await ctx.progress.reached(0.3);
      const start = performance.now();
      await ctx.stack.redis.crash();
      await sleep(5_000);
      await ctx.stack.redis.start();
      return { start, end: performance.now() };
    },
  },
  {
    id: "redis-frozen-5s",
    item: "c",
    fault: "Redis frozen for 5 s (SIGSTOP, SIGCONT): connections open, no answers",
    modes: ["full"],
    async inject(ctx) {
      await ctx.progress.reached(0.3);
      const start = performance.now();
      ctx.stack.redis.signal("SIGSTOP");
      await sleep(5_000);
      ctx.stack.redis.signal("SIGCONT");
      return { start, end: performance.now() };
    },
  },
  {
    id: "receiver-down-3s",
    item: "d",
    fault: "receiver killed (kill -9) for 3 s, restarted on its port and journal",
    modes: ["full", "quick"],
    async inject(ctx) {
      await ctx.progress.reached(0.1);
      const start = performance.now();
      const failedBefore = ctx.stack.failedDeliveries;
      await ctx.stack.killReceiver();
      await sleep(3_000);
      ctx.note("webhook deliveries failed while down", ctx.stack.failedDeliveries - failedBefore);
      ctx.note("webhook status before restart", (await ctx.stack.webhookStatus()) ?? "none");
      await ctx.stack.startReceiver();
      return { start, end: performance.now() };
    },
  },
  ...WEBEX_SCENARIOS,
  WEBEX_MIXED,
  ...RESIDUAL_SCENARIOS,
];
