// Ends the test run with one plain line, `N passed, N failed, N skipped`, that CI systems read
// without parsing Vitest's coloured summary.
import type { Reporter } from "vitest/reporters";

interface TaskLike {
  type: string;
  mode?: string;
  result?: { state?: string };
  tasks?: TaskLike[];
}

function count(
  tasks: readonly TaskLike[],
  totals: Record<"passed" | "failed" | "skipped", number>,
) {
  for (const task of tasks) {
    if (task.tasks !== undefined) count(task.tasks, totals);
    if (task.type !== "test") continue;
    const state = task.result?.state;
    if (state === "pass") totals.passed += 1;
    else if (state === "fail") totals.failed += 1;
    else totals.skipped += 1;
  }
}

export default class SummaryReporter implements Reporter {
  onFinished(files: readonly TaskLike[] = [], errors: readonly unknown[] = []): void {
    const totals = { passed: 0, failed: 0, skipped: 0 };
    count(files, totals);
    // A file that failed to load has no tests: count it as a failure.
    const broken = files.filter(
      (file) => file.result?.state === "fail" && (file.tasks ?? []).length === 0,
    );
    totals.failed += broken.length + errors.length;
    process.stdout.write(
      `\n${totals.passed} passed, ${totals.failed} failed, ${totals.skipped} skipped\n`,
    );
  }
}
