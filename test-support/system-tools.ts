// Tests that need a system program (promtool, nginx, Chromium, …) declare it here. When one is
// missing the test is skipped, reported as a skip by Vitest, and the run's summary
// (test-support/summary-reporter.ts) lists it by name under the line that says what to install.
// The tools themselves are listed in scripts/system-tools.mjs, which `npm test` uses to install
// them first when it can.
import { describe, it, type TestFunction } from "vitest";
import { getCurrentSuite } from "vitest/suite";
import { toolStatus, type ToolStatus } from "../scripts/system-tools.mjs";

export type ToolName =
  "redis-server" | "promtool" | "prometheus" | "nginx" | "chromium" | "systemd-analyze";

/** Where a skipped task keeps the reason it was skipped (read by the summary reporter). */
export const SKIP_META_KEY = "missingTools";

export interface SystemTools {
  /** True when every tool is installed. */
  readonly available: boolean;
  /** One line per missing tool: what is missing and what to install. */
  readonly missingLines: string[];
  /** The absolute path of one of the tools' commands (throws when it is missing). */
  path(command: string): string;
  /** A test that runs only when the tools are installed (otherwise: a reported skip). */
  it(name: string, fn: TestFunction, timeout?: number): void;
  /** A suite whose tests run only when the tools are installed. */
  describe(name: string, fn: () => void): void;
}

function markSkipped(meta: object, lines: string[]): void {
  Object.assign(meta, { [SKIP_META_KEY]: lines });
}

/** The tools a test or suite needs; see SystemTools. */
export function needs(...names: ToolName[]): SystemTools {
  const statuses: ToolStatus[] = names.map((name) => toolStatus(name));
  const missing = statuses.filter((status) => !status.available);
  const missingLines = missing.map((status) => status.line);
  const available = missing.length === 0;
  return {
    available,
    missingLines,
    path(command) {
      for (const status of statuses) {
        const found = status.paths[command];
        if (found !== undefined) return found;
      }
      throw new Error(`${command} is not installed: ${missingLines.join("; ")}`);
    },
    it(name, fn, timeout) {
      it.skipIf(!available)(name, fn, timeout);
      const task = getCurrentSuite().tasks.at(-1);
      if (!available && task !== undefined && task.type !== "collector") {
        markSkipped(task.meta, missingLines);
      }
    },
    describe(name, fn) {
      describe.skipIf(!available)(name, () => {
        fn();
        if (available) return;
        // The suite and each test declared in it directly carry the reason.
        const collector = getCurrentSuite();
        if (collector.suite !== undefined) markSkipped(collector.suite.meta, missingLines);
        for (const task of collector.tasks) {
          if (task.type !== "collector") markSkipped(task.meta, missingLines);
        }
      });
    },
  };
}
