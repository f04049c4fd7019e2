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
  /** The modes that run it (quick: the CI form). */
  modes: ("full" | "quick")[];
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

/** When a Webex fault is on, and what it must have done before it is taken off. */
interface FaultSpan {
  /** Fractions of the burst sent when it is put on and (at the earliest) taken off. */
  from: number;
  to: number;
  /** Kept on past `to` until this many calls suffered it (for at most 10 s more). */
  minFaulted?: number;
  /** Prefix of the note counting the faulted calls. */
  label?: string;
}

/** Faulted calls so far of a fault put on with `budget` uses (the one pending fault). */
async function faultedSoFar(ctx: FaultContext, budget: number): Promise<number> {
  const response = await fetch(`${ctx.stack.emulator.url}/_emulator/faults`);
  const { items } = (await response.json()) as { items: FaultRequest[] };
  return budget - (items[0]?.count ?? budget);
}

/** A Webex fault on during `span` of the burst; notes how many calls suffered it. */
async function webexFault(
  ctx: FaultContext,
  spec: Omit<FaultRequest, "count">,
  span: FaultSpan = { from: 0.2, to: 0.7 },
): Promise<FaultWindow> {
  const budget = 1_000_000;
  await ctx.progress.reached(span.from);
  await ctx.stack.control.fault({ ...spec, count: budget });
  const start = performance.now();
  await ctx.progress.reached(span.to);
  const deadline = performance.now() + 10_000;
  let faulted = await faultedSoFar(ctx, budget);
  while (faulted < (span.minFaulted ?? 0) && performance.now() < deadline) {
    await sleep(20);
    faulted = await faultedSoFar(ctx, budget);
  }
  await ctx.stack.control.clearFaults();
  const end = performance.now();
  ctx.note(`${span.label ?? ""}Webex calls faulted`, faulted);
  return { start, end };
}

/** The Webex faults of item e, each a scenario in full mode, all in turn in quick mode. */
const WEBEX_FAULTS: {
  id: string;
  fault: string;
  spec: Omit<FaultRequest, "count">;
  timeoutMs?: number;
}[] = [
  {
    id: "webex-500",
    fault: "Webex answers 500 to 10% of /v1/messages calls (any method), nothing done",
    spec: { method: "*", path: "/v1/messages", status: 500, probability: 0.1 },
  },
  {
    id: "webex-429",
    fault: "Webex answers 429 (Retry-After: 1) to 3% of /v1/messages calls (any method)",
    spec: { method: "*", path: "/v1/messages", status: 429, retryAfter: 1, probability: 0.03 },
  },
  {
    id: "create-then-500",
    fault: "Webex creates 10% of replies, then answers 500",
    spec: { method: "POST", path: "/v1/messages", status: 500, after: true, probability: 0.1 },
  },
  {
    id: "create-then-drop",
    fault: "Webex creates 10% of replies, then drops the connection",
    spec: { method: "POST", path: "/v1/messages", drop: true, after: true, probability: 0.1 },
  },
  {
    id: "slow-past-timeout",
    fault: "Webex creates 10% of replies, then answers 1.5 s late (client timeout 1 s)",
    spec: { method: "POST", path: "/v1/messages", delayMs: 1_500, after: true, probability: 0.1 },
    timeoutMs: 1_000,
  },
];

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
      await ctx.progress.reached(0.2);
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
  ...WEBEX_FAULTS.map((fault): Scenario => ({
    id: fault.id,
    item: "e",
    fault: fault.fault,
    ...(fault.timeoutMs !== undefined ? { stack: { webexTimeoutMs: fault.timeoutMs } } : {}),
    modes: ["full"],
    inject: (ctx) => webexFault(ctx, fault.spec),
  })),
  {
    id: "webex-mixed",
    item: "e",
    fault:
      "each Webex fault in turn (500, 429, create-then-500, create-then-drop, 1.5 s late with a 1 s client timeout), on 25% of calls",
    stack: { webexTimeoutMs: 1_000 },
    modes: ["quick"],
    async inject(ctx) {
      const windows: FaultWindow[] = [];
      const step = 0.8 / WEBEX_FAULTS.length;
      for (const [i, fault] of WEBEX_FAULTS.entries()) {
        const from = 0.1 + i * step;
        const spec = { ...fault.spec, probability: 0.25 };
        const span = { from, to: from + step, minFaulted: 4, label: `${fault.id}: ` };
        windows.push(await webexFault(ctx, spec, span));
      }
      return {
        start: windows[0]?.start ?? performance.now(),
        end: windows.at(-1)?.end ?? performance.now(),
        recoverFrom: windows.map((w) => w.end),
      };
    },
  },
];
