// The generated part of docs/RELIABILITY.md: the table of a full run, between two markers.
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import type { FaultReport } from "./main.js";
import { renderMarkdown } from "./report.js";

const START_MARK = "<!-- fault-suite:table:start -->";
const END_MARK = "<!-- fault-suite:table:end -->";

/** Replaces the generated part of docs/RELIABILITY.md (between its markers), if it has them. */
export function updateDoc(path: string, report: FaultReport): boolean {
  if (!existsSync(path)) return false;
  const text = readFileSync(path, "utf8");
  const start = text.indexOf(START_MARK);
  const end = text.indexOf(END_MARK);
  if (start < 0 || end < start) return false;
  const m = report.machine;
  const header =
    `Measured ${report.startedAt.slice(0, 16).replace("T", " ")} UTC by \`pnpm faults\` ` +
    `(${report.mode} mode, ${report.durationSeconds.toFixed(0)} s) on ${String(m["cpu"])}, ` +
    `${String(m["cores"])} cores, ${String(m["memoryGb"])} GB, Node ${String(m["node"])}, ` +
    `redis-server ${String(m["redis"])}, load average (1 min) ` +
    `${String(m["load average (1 min) at start / end"])} at start / end (a shared machine); ` +
    `${report.settings.workload.messages} messages per ` +
    `scenario at ${report.settings.ratePerSecond}/s. Raw figures: ` +
    "[`bench/results/faults.json`](../bench/results/faults.json).";
  const body = `${START_MARK}\n${header}\n\n${renderMarkdown(report.scenarios)}\n${END_MARK}`;
  writeFileSync(path, text.slice(0, start) + body + text.slice(end + END_MARK.length));
  return true;
}
