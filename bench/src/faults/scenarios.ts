// The faults, one scenario each: what is done to the stack while the burst is sent, and when the
// fault began and ended (performance.now()), for the time to recover.
import { performance } from "node:perf_hooks";
import type { FaultRequest } from "@sparkbot/emulator";
import { sleep } from "../lib/net.js";
import { scrapeSamples } from "./metrics.js";
import type { FaultStack, StackSettings } from "./stack.js";

/** How far the burst has gone. */
export interface BurstProgress {
  readonly total: number;
  /** Resolves once `fraction` of the burst has been sent. */
  reached(fraction: number): Promise<void>;
}

/** What a scenario's fault gets to work with. */
export interface FaultContext {
  stack: FaultStack;
  progress: BurstProgress;
  /** Records a figure about the fault itself (e.g. jobs in flight at a kill). */
  note(key: string, value: number | string | boolean): void;
}

/** When the fault was applied and when it was over (performance.now()). */
export interface FaultWindow {
  start: number;
  end: number;
  /**
   * The moments recovery is measured from (default: `end`): for a kill, the kill itself; the
   * time to recover is the longest of them.
   */
  recoverFrom?: number[];
}

/** One fault scenario. */
export interface Scenario {
  id: string;
  /** Letter of the list (a–e). */
  item: string;
  /** What is done, in a few words (the table's first column). */
  fault: string;
  /** Stack settings of this scenario (e.g. a short Webex client timeout). */
  stack?: Partial<Pick<StackSettings, "webexTimeoutMs">>;
  /** Whether quick mode (CI) runs it. */
  quick: boolean;
  inject(ctx: FaultContext): Promise<FaultWindow>;
}

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

/** A Webex fault on from `from` to `to` of the burst; notes how many calls suffered it. */
async function webexFault(
  ctx: FaultContext,
  spec: Omit<FaultRequest, "count">,
  from = 0.2,
  to = 0.7,
): Promise<FaultWindow> {
  const budget = 1_000_000;
  await ctx.progress.reached(from);
  await ctx.stack.control.fault({ ...spec, count: budget });
  const start = performance.now();
  await ctx.progress.reached(to);
  const response = await fetch(`${ctx.stack.emulator.url}/_emulator/faults`);
  const { items } = (await response.json()) as { items: FaultRequest[] };
  await ctx.stack.control.clearFaults();
  const end = performance.now();
  ctx.note("Webex calls faulted", budget - (items[0]?.count ?? budget));
  return { start, end };
}

/** Every scenario, in the order they run. */
export const SCENARIOS: Scenario[] = [
  {
    id: "worker-kill",
    item: "a",
    fault: "kill -9 of a worker mid-stream (each worker once), restarted after 1 s",
    quick: true,
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
    quick: true,
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
    quick: true,
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
    quick: false,
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
    quick: true,
    async inject(ctx) {
      await ctx.progress.reached(0.3);
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
  {
    id: "webex-500",
    item: "e",
    fault: "Webex answers 500 to 10% of /v1/messages calls (any method), nothing done",
    quick: true,
    inject: (ctx) =>
      webexFault(ctx, { method: "*", path: "/v1/messages", status: 500, probability: 0.1 }),
  },
  {
    id: "webex-429",
    item: "e",
    fault: "Webex answers 429 (Retry-After: 1) to 3% of /v1/messages calls",
    quick: true,
    inject: (ctx) =>
      webexFault(ctx, {
        method: "*",
        path: "/v1/messages",
        status: 429,
        retryAfter: 1,
        probability: 0.03,
      }),
  },
  {
    id: "create-then-500",
    item: "e",
    fault: "Webex creates 10% of replies, then answers 500",
    quick: true,
    inject: (ctx) =>
      webexFault(ctx, {
        method: "POST",
        path: "/v1/messages",
        status: 500,
        after: true,
        probability: 0.1,
      }),
  },
  {
    id: "create-then-drop",
    item: "e",
    fault: "Webex creates 10% of replies, then drops the connection",
    quick: true,
    inject: (ctx) =>
      webexFault(ctx, {
        method: "POST",
        path: "/v1/messages",
        drop: true,
        after: true,
        probability: 0.1,
      }),
  },
  {
    id: "slow-past-timeout",
    item: "e",
    fault: "Webex creates 10% of replies, then answers 1.5 s late (client timeout 1 s)",
    stack: { webexTimeoutMs: 1_000 },
    quick: true,
    inject: (ctx) =>
      webexFault(ctx, {
        method: "POST",
        path: "/v1/messages",
        delayMs: 1_500,
        after: true,
        probability: 0.1,
      }),
  },
];
