// Ends the test run with plain lines that CI systems read without parsing Vitest's coloured
// summary: each skipped test by name, grouped under the reason it was skipped (for a missing
// system tool: the line naming what to install), then `N passed, N failed, N skipped`.
import { relative } from "node:path";
import type { Reporter } from "vitest/reporters";

interface TaskLike {
  type: string;
  name: string;
  mode?: string;
  filepath?: string;
  meta?: object;
  result?: { state?: string; note?: string };
  tasks?: TaskLike[];
}

interface Totals {
  passed: number;
  failed: number;
  skipped: number;
  /** Skipped tests by name, under their reason. */
  skips: Map<string, string[]>;
}

const SKIP_META_KEY = "missingTools"; // test-support/system-tools.ts

function reasonOf(meta: object | undefined): string | undefined {
  const lines = (meta as Record<string, unknown> | undefined)?.[SKIP_META_KEY];
  return Array.isArray(lines) ? lines.join("; ") : undefined;
}

function count(
  tasks: readonly TaskLike[],
  totals: Totals,
  path: string[],
  inherited: string | undefined,
) {
  for (const task of tasks) {
    const name = task.filepath !== undefined ? relative(process.cwd(), task.filepath) : task.name;
    const reason = reasonOf(task.meta) ?? inherited;
    if (task.tasks !== undefined) count(task.tasks, totals, [...path, name], reason);
    if (task.type !== "test") continue;
    const state = task.result?.state;
    if (state === "pass") totals.passed += 1;
    else if (state === "fail") totals.failed += 1;
    else {
      totals.skipped += 1;
      const why =
        reason ??
        task.result?.note ??
        (task.mode === "todo" ? "to do" : "skipped (.skip, -t or an unmet condition)");
      const names = totals.skips.get(why) ?? [];
      names.push([...path, name].join(" > "));
      totals.skips.set(why, names);
    }
  }
}

export default class SummaryReporter implements Reporter {
  onFinished(files: readonly TaskLike[] = [], errors: readonly unknown[] = []): void {
    const totals: Totals = { passed: 0, failed: 0, skipped: 0, skips: new Map() };
    count(files, totals, [], undefined);
    // A file that failed to load has no tests: count it as a failure.
    const broken = files.filter(
      (file) => file.result?.state === "fail" && (file.tasks ?? []).length === 0,
    );
    totals.failed += broken.length + errors.length;
    const lines: string[] = [];
    // With -t most tests are filtered out; listing them all would bury the result.
    const filtered = [...totals.skips.keys()].filter((why) => why.startsWith("skipped ("));
    for (const [why, names] of totals.skips) {
      if (filtered.includes(why) && names.length > 20) {
        lines.push(`Skipped ${names.length} tests: ${why}`);
        continue;
      }
      lines.push(`Skipped, ${why}:`);
      for (const name of names) lines.push(`  - ${name}`);
    }
    lines.push(`${totals.passed} passed, ${totals.failed} failed, ${totals.skipped} skipped`);
    process.stdout.write(`\n${lines.join("\n")}\n`);
  }
}
