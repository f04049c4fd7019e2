// Runs the fault suite's quick form (`node bench/faults.mjs --quick`) as a child process, as CI
// does: every scenario must run, lose nothing, and say nothing twice — except in group rooms,
// where a reply whose outcome cannot be checked is sent again (the documented residual), so
// only "nothing lost" holds there. Each scenario must also show that its fault bit (a kill that
// hit running jobs, events journaled, a webhook deactivated, Webex calls faulted), so that a
// pass means the mechanisms were exercised. No timing is asserted.
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";

const benchDir = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const root = resolve(benchDir, "..");

interface Row {
  kind: "direct" | "group";
  messages: number;
  expectedReplies: number;
  lost: number;
  duplicated: number;
  unexpected: number;
  unexpectedSamples: string[];
}

interface Scenario {
  id: string;
  rows: Row[];
  notes: Record<string, number | string | boolean>;
  counters: Record<string, number>;
  suspects: unknown[];
  error?: string;
}

function runQuick(jsonPath: string): Promise<{ code: number | null; output: string }> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(
      process.execPath,
      [join(benchDir, "faults.mjs"), "--quick", "--json", jsonPath],
      {
        cwd: root,
        stdio: ["ignore", "pipe", "pipe"],
      },
    );
    let output = "";
    const keep = (chunk: Buffer): void => {
      output = (output + chunk.toString("utf8")).slice(-20_000);
    };
    child.stdout.on("data", keep);
    child.stderr.on("data", keep);
    const timer = setTimeout(() => child.kill("SIGTERM"), 330_000);
    child.on("error", reject);
    child.on("exit", (code) => {
      clearTimeout(timer);
      resolvePromise({ code, output });
    });
  });
}

describe("fault suite --quick", () => {
  const dir = mkdtempSync(join(tmpdir(), "sparkbot-faults-test-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it(
    "loses no reply and says none twice under each fault (group rooms: none lost)",
    { timeout: 345_000 },
    async () => {
      for (const built of [
        "bench/dist/faults/main.js",
        "bench/dist/faults/fault-bot.js",
        "services/receiver/dist/main.js",
        "services/worker/dist/main.js",
      ]) {
        expect(existsSync(join(root, built)), `${built} (run \`pnpm build\`)`).toBe(true);
      }
      const jsonPath = join(dir, "faults.json");
      const { code, output } = await runQuick(jsonPath);
      expect(existsSync(jsonPath), output).toBe(true);
      const report = JSON.parse(readFileSync(jsonPath, "utf8")) as {
        mode: string;
        passed: boolean;
        scenarios: Scenario[];
      };
      expect(report.mode).toBe("quick");
      const byId = new Map(report.scenarios.map((s) => [s.id, s]));
      expect([...byId.keys()]).toEqual([
        "worker-kill",
        "redis-crash",
        "redis-down-5s",
        "receiver-down-3s",
        "webex-mixed",
      ]);
      for (const scenario of report.scenarios) {
        const why = `${scenario.id}: ${JSON.stringify({ ...scenario, counters: undefined })}`;
        expect(scenario.error, why).toBeUndefined();
        expect(scenario.rows.map((row) => row.kind).sort(), why).toEqual(["direct", "group"]);
        for (const row of scenario.rows) {
          expect(row.messages, why).toBeGreaterThan(0);
          expect(row.lost, why).toBe(0);
          expect(row.unexpected, why).toBe(0);
          if (row.kind === "direct") expect(row.duplicated, why).toBe(0);
        }
      }

      // Each fault bit.
      const note = (id: string, key: string) => byId.get(id)?.notes[key];
      const counter = (id: string, key: string) => byId.get(id)?.counters[key] ?? 0;
      const inFlight =
        Number(note("worker-kill", "worker-1 jobs in flight at kill")) +
        Number(note("worker-kill", "worker-2 jobs in flight at kill"));
      expect(inFlight).toBeGreaterThan(0);
      expect(counter("worker-kill", "job retries (stalled)")).toBeGreaterThan(0);
      expect(counter("redis-down-5s", "journaled")).toBeGreaterThan(0);
      expect(counter("redis-down-5s", "journal replayed")).toBeGreaterThan(0);
      expect(note("receiver-down-3s", "webhook status before restart")).toBe("inactive");
      expect(counter("receiver-down-3s", "backfill recovered")).toBeGreaterThan(0);
      for (const fault of [
        "webex-500",
        "webex-429",
        "create-then-500",
        "create-then-drop",
        "slow-past-timeout",
      ]) {
        expect(Number(note("webex-mixed", `${fault}: Webex calls faulted`)), fault).toBeGreaterThan(
          0,
        );
      }
      expect(counter("webex-mixed", "replies skipped (sent before)")).toBeGreaterThan(0);

      expect(report.passed, output).toBe(true);
      expect(code, output).toBe(0);
    },
  );
});
