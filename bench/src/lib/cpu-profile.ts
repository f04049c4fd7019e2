import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { ProfileSummary } from "./report.js";

/** The parts of a V8 `.cpuprofile` (written by `node --cpu-prof`) that the summary reads. */
interface CpuProfile {
  nodes: {
    id: number;
    callFrame: { functionName: string; url: string; lineNumber: number };
    children?: number[];
  }[];
  samples: number[];
  timeDeltas: number[];
}

const IDLE = new Set(["(idle)"]);

/** Groups of packages also reported as one, in the "on the stack" table. */
const GROUPS: [string, (owner: string) => boolean][] = [
  [
    "[group] Webex SDK (@webex/*, request)",
    (owner) => owner.startsWith("@webex/") || owner === "request",
  ],
  ["[group] queue (bullmq, ioredis)", (owner) => owner === "bullmq" || owner === "ioredis"],
];

/** Who a frame belongs to: an npm package, a SparkBot workspace package, Node itself, or V8. */
export function ownerOf(url: string, functionName: string): string {
  if (url === "") return functionName.startsWith("(") ? functionName : "(native)";
  if (url.startsWith("node:")) return "(node internals)";
  const marker = url.lastIndexOf("node_modules/");
  if (marker >= 0) {
    const parts = url.slice(marker + "node_modules/".length).split("/");
    return parts[0]?.startsWith("@") ? `${parts[0]}/${parts[1] ?? ""}` : (parts[0] ?? url);
  }
  const workspace = /\/(packages|services|examples|bench)\/([^/]+)\//.exec(url);
  if (workspace) return `sparkbot ${workspace[1]}/${workspace[2]}`;
  return url;
}

function frameName(url: string, functionName: string, line: number): string {
  const file =
    url === ""
      ? ""
      : ` ${url.replace(/^.*node_modules\//, "").replace(/^file:\/\/.*\/(packages|services)\//, "$1/")}:${line + 1}`;
  return `${functionName === "" ? "(anonymous)" : functionName}${file}`;
}

/**
 * Self time per frame and per package of one profile, busy time only (idle excluded). Samples
 * in the first `skipMs` (start-up: module loading, connecting) are left out, so that the summary
 * shows the process under load.
 */
export function summarizeProfile(
  profile: CpuProfile,
  process: string,
  workload: string,
  skipMs = 0,
  top = 12,
): ProfileSummary {
  const byId = new Map(profile.nodes.map((node) => [node.id, node.callFrame]));
  const parents = new Map<number, number>();
  for (const node of profile.nodes)
    for (const child of node.children ?? []) parents.set(child, node.id);
  const frames = new Map<string, number>();
  const packages = new Map<string, number>();
  const inclusive = new Map<string, number>();
  let busy = 0;
  let elapsed = 0;
  profile.samples.forEach((id, index) => {
    const frame = byId.get(id);
    const delta = (profile.timeDeltas[index] ?? 0) / 1000;
    elapsed += delta;
    if (elapsed < skipMs) return;
    if (!frame || IDLE.has(frame.functionName) || delta <= 0) return;
    busy += delta;
    const name = frameName(frame.url, frame.functionName, frame.lineNumber);
    frames.set(name, (frames.get(name) ?? 0) + delta);
    const owner = nearestOwner(id, byId, parents) ?? ownerOf(frame.url, frame.functionName);
    packages.set(owner, (packages.get(owner) ?? 0) + delta);
    for (const onStack of stackOwners(id, byId, parents)) {
      inclusive.set(onStack, (inclusive.get(onStack) ?? 0) + delta);
    }
  });
  const ranked = (map: Map<string, number>, count: number): [string, number][] =>
    [...map.entries()].sort((a, b) => b[1] - a[1]).slice(0, count);
  return {
    process,
    workload,
    totalMs: Math.round(busy),
    topFrames: ranked(frames, top).map(([frame, selfMs]) => ({
      frame,
      selfMs: Math.round(selfMs),
      share: busy > 0 ? selfMs / busy : 0,
    })),
    packages: ranked(packages, top).map(([name, selfMs]) => ({
      name,
      selfMs: Math.round(selfMs),
      share: busy > 0 ? selfMs / busy : 0,
    })),
    inclusive: ranked(inclusive, top).map(([name, ms]) => ({
      name,
      selfMs: Math.round(ms),
      share: busy > 0 ? ms / busy : 0,
    })),
  };
}

/**
 * The package of the nearest JavaScript frame at or above `leaf` that is not Node's own code, so
 * that a socket write or a hash is charged to whoever asked for it (undefined when none is).
 */
function nearestOwner(
  leaf: number,
  byId: Map<number, { functionName: string; url: string }>,
  parents: Map<number, number>,
): string | undefined {
  for (let id: number | undefined = leaf; id !== undefined; id = parents.get(id)) {
    const frame = byId.get(id);
    if (frame && frame.url !== "" && !frame.url.startsWith("node:")) {
      return ownerOf(frame.url, frame.functionName);
    }
  }
  return undefined;
}

/** The packages with a frame anywhere on the stack of a sample (each counted once). */
function stackOwners(
  leaf: number,
  byId: Map<number, { functionName: string; url: string }>,
  parents: Map<number, number>,
): Set<string> {
  const owners = new Set<string>();
  for (let id: number | undefined = leaf; id !== undefined; id = parents.get(id)) {
    const frame = byId.get(id);
    if (frame && frame.url !== "" && !frame.url.startsWith("node:")) {
      const owner = ownerOf(frame.url, frame.functionName);
      owners.add(owner);
      const group = GROUPS.find(([, test]) => test(owner));
      if (group) owners.add(group[0]);
    }
  }
  return owners;
}

/** Reads the single `.cpuprofile` a process wrote into `dir`. */
export function readProfile(dir: string): CpuProfile {
  const file = readdirSync(dir).find((name) => name.endsWith(".cpuprofile"));
  if (file === undefined)
    throw new Error(`no .cpuprofile in ${dir} (did the process exit cleanly?)`);
  return JSON.parse(readFileSync(join(dir, file), "utf8")) as CpuProfile;
}
