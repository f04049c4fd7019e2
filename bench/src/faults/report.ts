// The fault suite's tables: a text one for the terminal and a Markdown one for
// docs/RELIABILITY.md, one row per scenario and kind of room, plus the verdict on each row.
import type { ScenarioResult } from "./run-scenario.js";
import type { AuditRow } from "./tracker.js";

/**
 * What a row is held to: 0 lost, and 0 duplicated in direct rooms; duplicates in group rooms
 * (unverifiable replies), and in any room of a scenario that measures a residual window, are
 * reported as "residual".
 */
export function rowVerdict(row: AuditRow, result: ScenarioResult): "ok" | "residual" | "FAIL" {
  if (row.lost > 0 || row.unexpected > 0) return "FAIL";
  if (row.duplicated === 0) return "ok";
  return row.kind === "group" || result.residual !== undefined ? "residual" : "FAIL";
}

/** True when every scenario ran and every row holds its guarantee. */
export function suitePassed(results: readonly ScenarioResult[]): boolean {
  return results.every(
    (result) =>
      result.error === undefined && result.rows.every((row) => rowVerdict(row, result) !== "FAIL"),
  );
}

function seconds(ms: number | null): string {
  return ms === null ? "never" : (ms / 1000).toFixed(1);
}

/** The cells of one row (scenario × kind of room). */
function cells(result: ScenarioResult, row: AuditRow): string[] {
  return [
    `${result.item}. ${result.id}`,
    row.kind,
    String(row.messages),
    String(row.expectedReplies),
    String(row.deliveredReplies),
    String(row.lost),
    String(row.duplicated),
    seconds(result.recoveryMs),
    rowVerdict(row, result),
  ];
}

const HEADER = [
  "Scenario",
  "Rooms",
  "Messages",
  "Replies expected",
  "Delivered",
  "Lost",
  "Duplicated",
  "Recovery (s)",
  "Verdict",
];

/** The table as aligned text, with each scenario's error and key counters under it. */
export function renderText(results: readonly ScenarioResult[]): string {
  const lines: string[][] = [HEADER];
  for (const result of results) for (const row of result.rows) lines.push(cells(result, row));
  const widths = HEADER.map((_, i) => Math.max(...lines.map((line) => (line[i] ?? "").length)));
  const text = lines.map((line) => line.map((cell, i) => cell.padEnd(widths[i] ?? 0)).join("  "));
  for (const result of results) {
    if (result.error !== undefined) text.push(`${result.id}: FAILED TO RUN: ${result.error}`);
    const unexpected = result.rows.flatMap((row) => row.unexpectedSamples);
    if (unexpected.length > 0)
      text.push(`${result.id}: unexpected replies: ${unexpected.join(" | ")}`);
  }
  return text.join("\n");
}

/** What the notes column says about a scenario: the fault's own figures and the mechanisms used. */
export function evidence(result: ScenarioResult): string {
  const parts: string[] = [];
  for (const [key, value] of Object.entries(result.notes)) parts.push(`${key}: ${String(value)}`);
  const counters: [string, string][] = [
    ["journaled", "journaled"],
    ["backfill recovered", "backfilled"],
    ["replies skipped (sent before)", "replies found sent"],
    ["replies unverifiable (group room)", "unverifiable (group)"],
    ["replies unverifiable (other)", "unverifiable (other)"],
    ["job retries (stalled)", "stalled jobs taken over"],
    ["job retries", "job retries"],
    ["jobs failed", "jobs failed"],
  ];
  for (const [key, label] of counters) {
    const value = result.counters[key] ?? 0;
    if (value > 0) parts.push(`${label}: ${value}`);
  }
  if (result.failedDeliveries > 0)
    parts.push(`webhook deliveries failed: ${result.failedDeliveries}`);
  return parts.join("; ");
}

/** The Markdown table of a run (for docs/RELIABILITY.md). */
export function renderMarkdown(results: readonly ScenarioResult[]): string {
  const head = [...HEADER, "What happened"];
  const out = [`| ${head.join(" | ")} |`, `| ${head.map(() => "---").join(" | ")} |`];
  for (const result of results) {
    for (const [i, row] of result.rows.entries()) {
      const note = i === 0 ? `${result.fault}. ${evidence(result)}` : "";
      out.push(`| ${[...cells(result, row), note].join(" | ")} |`);
    }
    if (result.error !== undefined) out.push(`| ${result.id} | failed to run: ${result.error} |`);
  }
  return out.join("\n");
}
