// Runs one scenario: a fresh stack, a planned burst sent at a fixed rate while the fault is
// applied, a wait until every reply came (or nothing moves any more), a quiet period for late
// duplicates, then the audit of every room.
import { performance } from "node:perf_hooks";
import { sleep } from "../lib/net.js";
import { diagnoseLosses, type Suspect } from "./diagnose.js";
import { sampleSum, type Samples } from "./metrics.js";
import type { BurstProgress, FaultWindow, Scenario } from "./scenarios.js";
import { FaultStack, type StackSettings } from "./stack.js";
import { ReplyTracker, type AuditRow } from "./tracker.js";
import {
  createScene,
  planBurst,
  seededRandom,
  type PlannedMessage,
  type WorkloadSettings,
} from "./workload.js";

/** Settings of one mode (full or quick). */
export interface SuiteSettings {
  workload: WorkloadSettings;
  /** Messages per second of the burst. */
  ratePerSecond: number;
  /** Nothing moved (queue empty, journal empty, no reply) for this long: stop waiting. */
  idleCutoffMs: number;
  /** Longest wait for replies after the burst and the fault ended. */
  maxWaitMs: number;
  /** Quiet period after the last reply, for late duplicates. */
  quietMs: number;
  stack: Omit<StackSettings, "root" | "label">;
}

/** What one scenario measured. */
export interface ScenarioResult {
  id: string;
  item: string;
  fault: string;
  /** The residual window the scenario measures, if it is one of those. */
  residual?: string;
  messages: number;
  rows: AuditRow[];
  /** From the end of the fault until every message sent by then had all its replies (ms). */
  recoveryMs: number | null;
  /** How long the fault lasted (ms). */
  faultMs: number;
  /** When the fault began and ended (ISO times, the emulator's clock), for the evidence. */
  faultAt: { start: string; end: string } | null;
  /** From the end of the burst until its last expected reply (ms); null if some never came. */
  drainMs: number | null;
  /** Figures about the fault (jobs in flight at a kill, calls faulted, webhook status...). */
  notes: Record<string, number | string | boolean>;
  /** Counters of the services (summed over processes, killed ones included). */
  counters: Record<string, number>;
  /** Warn and error log lines of the services, by message. */
  logs: Record<string, number>;
  /** Jobs that failed for good (in BullMQ's failed set at the end). */
  jobsFailed: number | null;
  /** Webhook deliveries the emulator could not make. */
  failedDeliveries: number;
  /** Messages that may explain lost replies (no completed job), when replies were lost. */
  suspects: Suspect[];
  /** Set when the scenario itself could not run (the figures are then incomplete). */
  error?: string;
}

/** Runs `scenario` on a fresh stack. */
export async function runScenario(
  scenario: Scenario,
  settings: SuiteSettings,
  root: string,
  log: (line: string) => void,
): Promise<ScenarioResult> {
  const t0 = performance.now();
  const stage = (what: string): void =>
    log(`  ${scenario.id}: ${what} (+${((performance.now() - t0) / 1000).toFixed(1)} s)`);
  const stack = await FaultStack.start({
    ...settings.stack,
    ...scenario.stack,
    root,
    label: scenario.id,
  });
  const tracker = { current: undefined as ReplyTracker | undefined };
  try {
    stage("stack up");
    const scene = await createScene(stack.control, stack.bot, settings.workload, scenario.id);
    stage("scene created");
    const plan = planBurst(scene, settings.workload, scenario.id, seededRandom(hash(scenario.id)));
    const replies = new ReplyTracker(stack.emulator, scene);
    tracker.current = replies;
    const notes: ScenarioResult["notes"] = {};
    const burst = sendBurst(stack, plan, replies, settings.ratePerSecond);
    const window = await scenario
      .inject({ stack, progress: burst.progress, note: (k, v) => (notes[k] = v) })
      .catch(async (error: unknown) => {
        await burst.done.catch(() => undefined);
        throw error;
      });
    const burstEnd = await burst.done;
    stage("burst sent, fault over");
    await waitForReplies(stack, replies, plan, settings, window);
    stage("replies in");
    const settle = (window.settleUntil ?? 0) - performance.now();
    if (settle > 0) await sleep(settle);
    await quiet(stack, replies, settings);
    stage("quiet");
    const rows = await replies.audit(stack.control, plan);
    const recovery = (window.recoverFrom ?? [window.end]).map((from) => {
      const at = replies.doneAt(plan, from);
      return at === undefined ? undefined : Math.max(0, at - from);
    });
    const suspects =
      replies.short.rooms.size > 0 ? await diagnoseLosses(stack, plan, replies.short) : [];
    const lastAt = replies.doneAt(plan, Number.POSITIVE_INFINITY);
    const counts = await stack.queueCounts();
    return {
      id: scenario.id,
      item: scenario.item,
      fault: scenario.fault,
      ...(scenario.residual !== undefined ? { residual: scenario.residual } : {}),
      messages: plan.length,
      rows,
      recoveryMs: recovery.some((ms) => ms === undefined)
        ? null
        : Math.max(0, ...recovery.map((ms) => ms ?? 0)),
      faultMs: window.end - window.start,
      faultAt: { start: isoAt(window.start), end: isoAt(window.end) },
      drainMs: lastAt === undefined ? null : Math.max(0, lastAt - burstEnd),
      notes,
      counters: selectCounters(await stack.samples()),
      logs: Object.fromEntries([...stack.logs].sort((a, b) => b[1] - a[1])),
      jobsFailed: counts?.failed ?? null,
      failedDeliveries: stack.failedDeliveries,
      suspects,
    };
  } finally {
    tracker.current?.dispose();
    await stack.dispose();
  }
}

/** The wall-clock time (ISO) of a `performance.now()` reading. */
function isoAt(perf: number): string {
  return new Date(Date.now() - (performance.now() - perf)).toISOString();
}

/** A stable seed from the scenario's id. */
function hash(text: string): number {
  let h = 2166136261;
  for (const char of text) h = Math.imul(h ^ char.charCodeAt(0), 16777619);
  return h >>> 0;
}

/** Sends the plan at `perSecond`, in the background; `done` resolves with when it ended. */
function sendBurst(
  stack: FaultStack,
  plan: readonly PlannedMessage[],
  replies: ReplyTracker,
  perSecond: number,
): { progress: BurstProgress; done: Promise<number> } {
  let sent = 0;
  const waiters: { count: number; resolve: () => void }[] = [];
  const wake = (): void => {
    for (const waiter of [...waiters]) {
      if (sent >= waiter.count) {
        waiters.splice(waiters.indexOf(waiter), 1);
        waiter.resolve();
      }
    }
  };
  const progress: BurstProgress = {
    total: plan.length,
    reached(fraction) {
      const count = Math.min(plan.length, Math.ceil(fraction * plan.length));
      if (sent >= count) return Promise.resolve();
      return new Promise((resolve) => waiters.push({ count, resolve }));
    },
  };
  const done = (async () => {
    const interval = 1000 / perSecond;
    const start = performance.now();
    const inFlight: Promise<void>[] = [];
    for (const [i, message] of plan.entries()) {
      const wait = start + i * interval - performance.now();
      if (wait > 1) await sleep(wait);
      const mentions = message.room.kind === "group" ? { mentions: [stack.bot.id] } : {};
      inFlight.push(
        stack.control
          .sendMessage({
            personId: message.personId,
            roomId: message.room.roomId,
            text: message.text,
            ...mentions,
          })
          .then(() => {
            replies.sent(message.seq);
            sent += 1;
            wake();
          }),
      );
    }
    await Promise.all(inFlight);
    return performance.now();
  })();
  return { progress, done };
}

/** True while the services still have work: jobs queued or running, events journaled. */
async function busy(stack: FaultStack): Promise<boolean> {
  const counts = await stack.queueCounts();
  if (counts === undefined || counts.pending > 0) return true;
  const journaled = await stack.journalEvents();
  return journaled === undefined || journaled > 0;
}

/** Waits until every reply came, or nothing has moved for `idleCutoffMs`, or `maxWaitMs`. */
async function waitForReplies(
  stack: FaultStack,
  replies: ReplyTracker,
  plan: readonly PlannedMessage[],
  settings: SuiteSettings,
  window: FaultWindow,
): Promise<void> {
  const deadline = performance.now() + settings.maxWaitMs;
  while (performance.now() < deadline) {
    if (replies.complete(plan)) return;
    const now = performance.now();
    const still = now - Math.max(replies.lastReplyAt(), window.end) > settings.idleCutoffMs;
    if (still && !(await busy(stack))) return;
    await sleep(200);
  }
}

/** Waits until the queue is empty and the bot has said nothing for `quietMs` (bounded). */
async function quiet(stack: FaultStack, replies: ReplyTracker, settings: SuiteSettings) {
  const deadline = performance.now() + Math.max(settings.quietMs * 10, 30_000);
  while (performance.now() < deadline) {
    const silent = performance.now() - replies.lastReplyAt() >= settings.quietMs;
    if (silent && !(await busy(stack))) return;
    await sleep(200);
  }
}

/** The counters the report shows, from every process's metrics. */
function selectCounters(samples: Samples): Record<string, number> {
  const pick: [string, string, string[]][] = [
    ["journaled", "sparkbot_receiver_journaled_total", []],
    ["journal replayed", "sparkbot_receiver_journal_replayed_total", ['result="enqueued"']],
    ["backfill recovered", "sparkbot_backfill_messages_total", ['result="recovered"']],
    ["backfill too old", "sparkbot_backfill_messages_total", ['result="too_old"']],
    ["replies sent", "sparkbot_replies_sent_total", []],
    ["replies skipped (sent before)", "sparkbot_replies_skipped_total", []],
    [
      "replies unverifiable (group room)",
      "sparkbot_replies_unverifiable_total",
      ['reason="group_room"'],
    ],
    ["replies unverifiable (other)", "sparkbot_replies_unverifiable_total", []],
    ["reply claim conflicts", "sparkbot_reply_claim_conflicts_total", []],
    ["job retries", "sparkbot_job_retries_total", []],
    ["job retries (stalled)", "sparkbot_job_retries_total", ['reason="stalled"']],
    ["jobs failed", "sparkbot_jobs_failed_total", []],
  ];
  const out: Record<string, number> = {};
  for (const [label, name, labels] of pick) out[label] = sampleSum(samples, name, labels);
  out["replies unverifiable (other)"] =
    (out["replies unverifiable (other)"] ?? 0) - (out["replies unverifiable (group room)"] ?? 0);
  return out;
}
