import { round } from "../lib/stats.js";
import type { BenchContext } from "./context.js";
import { SERVICE_NODE_FLAGS } from "@sparkbot/core";
import type { Stack } from "./compare.js";

/** What the SparkBot stacks run with (as deployed), measured beside V8's defaults ("sb-v8"). */
export const NODE_FLAGS = SERVICE_NODE_FLAGS.join(" ");

/** The rows of the comparison (section "0 Headline"), their targets from issue 17. */

const SECTION = "0 Headline";
/** Above this share of the machine taken by other processes, a round counts as busy. */
export const BUSY_SHARE = 0.1;

const SATURATED = ["sb", "sb-unordered", "sb-v8", "peer", "peer-tuned", "ideal"] as const;
const NAMES: Record<string, string> = {
  sb: "SparkBot (1 worker)",
  "sb-unordered": "SparkBot, ROOM_ORDERING=off (1 worker)",
  "sb-w2": "SparkBot (2 workers)",
  "sb-v8": `SparkBot without ${NODE_FLAGS}: V8's default young generation (1 worker)`,
  peer: "peer as it ships",
  "peer-tuned": "peer, people batcher 1 ms",
  ideal: "no-queue bot",
};

export function declareCompareRows(ctx: BenchContext): void {
  const { rows } = ctx;
  const rate = ctx.settings.fixedRatePerSecond;
  for (const id of SATURATED) {
    rows.declare({
      id: `compare.cpu.${id}`,
      section: SECTION,
      label: `CPU per command (its processes${id.startsWith("sb") ? " + Redis" : ""}): ${NAMES[id]}`,
      unit: "ms",
      ...(id === "sb" ? { target: "≤ 0.5 ms" } : {}),
    });
    rows.declare({
      id: `compare.rps.${id}`,
      section: SECTION,
      label: `Commands/s at saturation (${ctx.settings.pingers} pings in flight): ${NAMES[id]}`,
      unit: "cmd/s",
    });
  }
  rows.declare({
    id: "compare.redis.sb",
    section: SECTION,
    label: "Redis CPU per command: SparkBot (1 worker)",
    unit: "ms",
    target: "≤ 0.12 ms",
  });
  rows.declare({
    id: "compare.percore.peer",
    section: SECTION,
    label: "Commands per core: SparkBot ÷ tuned peer (= peer's CPU per command ÷ SparkBot's)",
    unit: "×",
    target: "≥ 1.9×",
  });
  rows.declare({
    id: "compare.percore.ideal",
    section: SECTION,
    label: "Commands per core: SparkBot ÷ no-queue bot",
    unit: "×",
    target: "≥ 0.4×",
  });
  rows.declare({
    id: "compare.ordering",
    section: SECTION,
    label: `Ordering per room: commands/s with ROOM_ORDERING on ÷ off (${ctx.settings.pingers} rooms)`,
    unit: "×",
    target: "≥ 0.9× (costs ≤ 10%)",
  });
  for (const id of ["sb", "sb-w2", "peer", "peer-tuned", "ideal"]) {
    rows.declare({
      id: `compare.p50.${id}`,
      section: SECTION,
      label: `Webhook-to-reply p50 at ${rate}/s: ${NAMES[id]}`,
      unit: "ms",
      ...(id === "sb-w2" ? { target: "≤ tuned peer's p50" } : {}),
    });
    rows.declare({
      id: `compare.p99.${id}`,
      section: SECTION,
      label: `Webhook-to-reply p99 at ${rate}/s: ${NAMES[id]}`,
      unit: "ms",
      ...(id === "sb-w2" ? { target: "≤ 10 ms" } : {}),
    });
  }
  for (const [id, label, target] of [
    ["receiver.peak", "Receiver peak RSS under load (SparkBot, 1 worker)", "≤ 100 MB"],
    ["worker.peak", "Worker peak RSS under load (SparkBot, 1 worker)", "≤ 120 MB"],
    ["receiver.idle", "Receiver RSS at idle, after start", "≤ 80 MB"],
    ["worker.idle", "Worker RSS at idle, after start", "≤ 80 MB"],
    ["receiver.v8", `Receiver peak RSS under load without ${NODE_FLAGS}`, ""],
    ["worker.v8", `Worker peak RSS under load without ${NODE_FLAGS}`, ""],
    ["receiver.v8idle", `Receiver RSS at idle without ${NODE_FLAGS}`, ""],
    ["worker.v8idle", `Worker RSS at idle without ${NODE_FLAGS}`, ""],
    ["peer.peak", "Peer (as it ships) peak RSS, for comparison", ""],
    ["ideal.peak", "No-queue bot peak RSS, for comparison", ""],
  ] as const) {
    rows.declare({
      id: `compare.memory.${id}`,
      section: SECTION,
      label,
      unit: "MB",
      ...(target !== "" ? { target } : {}),
    });
  }
  rows.declare({
    id: "compare.failures",
    section: SECTION,
    label: "Lost + duplicated replies, every stack, every round (warm-ups included)",
    unit: "",
    target: "= 0",
  });
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor((sorted.length - 1) / 2)] ?? Number.NaN;
}

/** `min / median / max` of the rounds, and how many of them were busy. */
function spread(values: number[], shares: number[], digits = 2): string {
  const sorted = [...values].sort((a, b) => a - b);
  const fmt = (value: number | undefined): string => String(round(value ?? Number.NaN, digits));
  const busy = shares.filter((share) => share > BUSY_SHARE).length;
  const worst = Math.round(Math.max(0, ...shares) * 100);
  return (
    `min / median / max over ${values.length} rounds: ${fmt(sorted[0])} / ${fmt(median(values))} / ${fmt(sorted.at(-1))}` +
    (busy > 0 ? `; BUSY: ${busy} of ${shares.length} rounds (other processes up to ${worst}%)` : "")
  );
}

export function setCompareRows(ctx: BenchContext, stacks: Stack[]): void {
  const { rows } = ctx;
  const byId = new Map(stacks.map((stack) => [stack.id, stack]));
  const cpu = (id: string): number =>
    median(byId.get(id)?.saturation.map((r) => r.cpuMsPerCommand) ?? []);
  const rps = (id: string): number =>
    median(byId.get(id)?.saturation.map((r) => r.perSecond) ?? []);
  for (const id of SATURATED) {
    const runs = byId.get(id)?.saturation ?? [];
    const shares = runs.map((r) => r.othersShare);
    rows.set(`compare.cpu.${id}`, round(cpu(id), 3), {
      note: spread(
        runs.map((r) => r.cpuMsPerCommand),
        shares,
        3,
      ),
      ...(id === "sb" ? { met: cpu(id) <= 0.5 } : {}),
    });
    rows.set(`compare.rps.${id}`, round(rps(id), 0), {
      note: spread(
        runs.map((r) => r.perSecond),
        shares,
        0,
      ),
    });
  }
  const sb = byId.get("sb")?.saturation ?? [];
  const redis = median(sb.map((r) => r.redisMsPerCommand));
  rows.set("compare.redis.sb", round(redis, 3), {
    met: redis <= 0.12,
    note: spread(
      sb.map((r) => r.redisMsPerCommand),
      sb.map((r) => r.othersShare),
      3,
    ),
  });
  const perCorePeer = cpu("peer-tuned") / cpu("sb");
  rows.set("compare.percore.peer", round(perCorePeer, 2), {
    met: perCorePeer >= 1.9,
    note: `as it ships: ${round(cpu("peer") / cpu("sb"), 2)}×`,
  });
  const perCoreIdeal = cpu("ideal") / cpu("sb");
  rows.set("compare.percore.ideal", round(perCoreIdeal, 2), { met: perCoreIdeal >= 0.4 });
  const ordering = rps("sb") / rps("sb-unordered");
  rows.set("compare.ordering", round(ordering, 2), {
    met: ordering >= 0.9,
    note: `CPU per command on ÷ off: ${round(cpu("sb") / cpu("sb-unordered"), 2)}×`,
  });
  const tunedP50 = median(byId.get("peer-tuned")?.fixedRate.map((r) => r.p50Ms) ?? []);
  for (const id of ["sb", "sb-w2", "peer", "peer-tuned", "ideal"]) {
    const runs = byId.get(id)?.fixedRate ?? [];
    const shares = runs.map((r) => r.othersShare);
    const p50 = median(runs.map((r) => r.p50Ms));
    const p99 = median(runs.map((r) => r.p99Ms));
    rows.set(`compare.p50.${id}`, round(p50, 2), {
      note: spread(
        runs.map((r) => r.p50Ms),
        shares,
      ),
      ...(id === "sb-w2"
        ? { met: p50 <= tunedP50, baseline: { name: "tuned peer", value: round(tunedP50, 2) } }
        : {}),
    });
    rows.set(`compare.p99.${id}`, round(p99, 2), {
      note: spread(
        runs.map((r) => r.p99Ms),
        shares,
      ),
      ...(id === "sb-w2" ? { met: p99 <= 10 } : {}),
    });
  }
  const ours = byId.get("sb");
  const peakOf = (stack: Stack | undefined, prefix: string): number =>
    Math.max(
      0,
      ...(stack?.processes.filter((h) => h.name.includes(prefix)).map((h) => h.peakRssMb()) ?? []),
    );
  const idleOf = (stack: Stack | undefined, prefix: string): number =>
    Math.max(
      0,
      ...Object.entries(stack?.idleRssMb ?? {})
        .filter(([name]) => name.includes(prefix))
        .map(([, mb]) => mb),
    );
  const memory: [string, number, number | undefined][] = [
    ["receiver.peak", peakOf(ours, "receiver"), 100],
    ["worker.peak", peakOf(ours, "worker"), 120],
    ["receiver.idle", idleOf(ours, "receiver"), 80],
    ["worker.idle", idleOf(ours, "worker"), 80],
    ["receiver.v8", peakOf(byId.get("sb-v8"), "receiver"), undefined],
    ["worker.v8", peakOf(byId.get("sb-v8"), "worker"), undefined],
    ["receiver.v8idle", idleOf(byId.get("sb-v8"), "receiver"), undefined],
    ["worker.v8idle", idleOf(byId.get("sb-v8"), "worker"), undefined],
    ["peer.peak", peakOf(byId.get("peer"), "peer"), undefined],
    ["ideal.peak", peakOf(byId.get("ideal"), "ideal"), undefined],
  ];
  for (const [id, mb, limit] of memory) {
    rows.set(`compare.memory.${id}`, round(mb, 0), limit === undefined ? {} : { met: mb <= limit });
  }
  const failures = stacks.reduce(
    (sum, stack) => sum + (stack.audit?.lost ?? 0) + (stack.audit?.duplicated ?? 0),
    0,
  );
  rows.set("compare.failures", failures, {
    met: failures === 0,
    note: stacks
      .map((s) => `${s.id}: lost ${s.audit?.lost ?? "?"}, duplicated ${s.audit?.duplicated ?? "?"}`)
      .join("; "),
  });
}
