// Runs the bench's quick mode as a child process (as CI does) so that the bench never rots:
// every row must be measured and no reply may be lost or duplicated. No timing is asserted.
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";

const benchDir = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const root = resolve(benchDir, "..");

/** Every row the report must hold, by id. */
const EXPECTED_ROWS = [
  "ingest.bare.rps",
  "ingest.receiver.rps",
  "ingest.receiver.p50",
  "ingest.receiver.p99",
  "ingest.receiver.failed",
  "ingest.receiver.missing",
  "ingest.receiver.cpu",
  "memory.receiver.ingest",
  "compare.cpu.sb",
  "compare.rps.sb",
  "compare.cpu.sb-unordered",
  "compare.rps.sb-unordered",
  "compare.cpu.peer",
  "compare.rps.peer",
  "compare.cpu.peer-tuned",
  "compare.rps.peer-tuned",
  "compare.cpu.ideal",
  "compare.rps.ideal",
  "compare.redis.sb",
  "compare.percore.peer",
  "compare.percore.ideal",
  "compare.ordering",
  "compare.p50.sb",
  "compare.p99.sb",
  "compare.p50.sb-w2",
  "compare.p99.sb-w2",
  "compare.p50.peer",
  "compare.p99.peer",
  "compare.p50.peer-tuned",
  "compare.p99.peer-tuned",
  "compare.p50.ideal",
  "compare.p99.ideal",
  "compare.memory.receiver.peak",
  "compare.memory.worker.peak",
  "compare.memory.receiver.idle",
  "compare.memory.worker.idle",
  "compare.memory.peer.peak",
  "compare.memory.ideal.peak",
  "compare.failures",
  "client.me.wall",
  "client.me.cpu",
  "client.create.wall",
  "client.create.cpu",
  "client.core-http.cpu",
  "client.sdk.rss",
  "client.share",
  "client.sdk.stack",
];

interface ReportRow {
  id: string;
  value: number | null;
  note?: string;
}

/** How long the quick bench may run here (bench/src/main.ts stops itself past it). */
const WATCHDOG_MS = 540_000;

function runQuick(jsonPath: string): Promise<{ code: number | null; output: string }> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(
      process.execPath,
      [join(benchDir, "run.mjs"), "--quick", "--json", jsonPath],
      {
        cwd: root,
        stdio: ["ignore", "pipe", "pipe"],
        // Its own 180 s bound is for a quiet machine; on a busy one the same work takes longer.
        env: { ...process.env, BENCH_WATCHDOG_MS: String(WATCHDOG_MS) },
      },
    );
    let output = "";
    const keep = (chunk: Buffer): void => {
      output = (output + chunk.toString("utf8")).slice(-20_000);
    };
    child.stdout.on("data", keep);
    child.stderr.on("data", keep);
    const timer = setTimeout(() => child.kill("SIGTERM"), WATCHDOG_MS + 30_000);
    child.on("error", reject);
    child.on("exit", (code) => {
      clearTimeout(timer);
      resolvePromise({ code, output });
    });
  });
}

describe("bench --quick", () => {
  const dir = mkdtempSync(join(tmpdir(), "sparkbot-bench-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it(
    "runs every measurement end to end with nothing lost or duplicated",
    { timeout: WATCHDOG_MS + 60_000 },
    async () => {
      for (const built of [
        "bench/dist/main.js",
        "services/receiver/dist/main.js",
        "services/worker/dist/main.js",
      ]) {
        expect(existsSync(join(root, built)), `${built} (run \`pnpm build\`)`).toBe(true);
      }
      const jsonPath = join(dir, "quick.json");
      const { code, output } = await runQuick(jsonPath);
      expect(code, output).toBe(0);
      expect(output).toContain("Measurement");

      const report = JSON.parse(readFileSync(jsonPath, "utf8")) as {
        mode: string;
        rows: ReportRow[];
        failures: unknown[];
      };
      expect(report.mode).toBe("quick");
      expect(report.failures).toEqual([]);
      const byId = new Map(report.rows.map((row) => [row.id, row]));
      for (const id of EXPECTED_ROWS) {
        const row = byId.get(id);
        expect(row, `row ${id}`).toBeDefined();
        expect(row?.value, `row ${id}: ${row?.note ?? ""}`).not.toBeNull();
      }
      expect(byId.get("compare.failures")?.value).toBe(0);
      expect(byId.get("ingest.receiver.missing")?.value).toBe(0);
      expect(byId.get("ingest.receiver.failed")?.value).toBe(0);
      expect(byId.get("ingest.receiver.missing")?.value).toBe(0);
    },
  );
});
