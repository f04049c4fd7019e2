// The Webex faults of item e (the emulator's fault injection): each one a scenario in full
// mode, all of them in turn in quick mode.
import { performance } from "node:perf_hooks";
import type { FaultRequest } from "@sparkbot/emulator";
import { sleep } from "../lib/net.js";
import type { FaultContext, FaultWindow, Scenario } from "./scenario-types.js";

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
export async function webexFault(
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
  // A call delayed just before the fault was taken off takes effect up to `delayMs` later.
  return { start, end, settleUntil: end + (spec.delayMs ?? 0) + 1_000 };
}

/** The Webex faults of item e, each a scenario in full mode, all in turn in quick mode. */
export const WEBEX_FAULTS: {
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

/** One scenario per Webex fault (full mode). */
export const WEBEX_SCENARIOS: Scenario[] = WEBEX_FAULTS.map((fault) => ({
  id: fault.id,
  item: "e",
  fault: fault.fault,
  ...(fault.timeoutMs !== undefined ? { stack: { webexTimeoutMs: fault.timeoutMs } } : {}),
  modes: ["full"],
  inject: (ctx) => webexFault(ctx, fault.spec),
}));

/** Every Webex fault in turn, each kept on until it bit a few times (quick mode). */
export const WEBEX_MIXED: Scenario = {
  id: "webex-mixed",
  item: "e",
  fault:
    "each Webex fault in turn (500, 429, create-then-500, create-then-drop, 1.5 s late with a 1 s client timeout) on 25% of calls, until it hit 4",
  stack: { webexTimeoutMs: 1_000 },
  modes: ["quick"],
  async inject(ctx) {
    const windows: FaultWindow[] = [];
    // Back to back from 10% of the burst, each on until it has hit 4 calls: while traffic
    // lasts, however fast the machine works the burst off.
    for (const fault of WEBEX_FAULTS) {
      const spec = { ...fault.spec, probability: 0.25 };
      const span = { from: 0.1, to: 0.1, minFaulted: 4, label: `${fault.id}: ` };
      windows.push(await webexFault(ctx, spec, span));
    }
    return {
      start: windows[0]?.start ?? performance.now(),
      end: windows.at(-1)?.end ?? performance.now(),
      recoverFrom: windows.map((w) => w.end),
    };
  },
};
