import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePort } from "../../packages/cli/src/lib/ports.js";
import { waitFor } from "../../packages/testkit/src/index.js";
import { start, stop, type Running } from "./processes.js";

/** A real Prometheus started for a test, scraping `targets` every second. */
export interface TestPrometheus {
  url: string;
  argv: string[];
  /** Instant query; resolves with the result vector. */
  query(promql: string): Promise<{ metric: Record<string, string>; value: [number, string] }[]>;
  close(): Promise<void>;
}

/**
 * Starts `prometheus` with docker-compose.yml's flags (`composeArgs`, whose paths are replaced
 * by temporary ones) on a free port.
 */
export async function startPrometheus(
  composeArgs: string[],
  targets: Record<string, string>,
): Promise<TestPrometheus> {
  const dir = mkdtempSync(join(tmpdir(), "sparkbot-prometheus-"));
  const jobs = Object.entries(targets).map(
    ([job, target]) =>
      `  - job_name: ${job}\n    static_configs:\n      - targets: ["${target}"]\n`,
  );
  const config = `global:\n  scrape_interval: 1s\n  scrape_timeout: 900ms\nscrape_configs:\n${jobs.join("")}`;
  writeFileSync(join(dir, "prometheus.yml"), config);
  const port = await freePort();
  const argv = composeArgs.map((arg) =>
    arg
      .replace(/^--config\.file=.*/, `--config.file=${join(dir, "prometheus.yml")}`)
      .replace(/^--storage\.tsdb\.path=.*/, `--storage.tsdb.path=${join(dir, "data")}`),
  );
  argv.push(`--web.listen-address=127.0.0.1:${port}`);
  const running: Running = start("prometheus", argv, { cwd: dir });
  const url = `http://127.0.0.1:${port}`;
  await waitFor(
    async () => {
      if (running.process.exitCode !== null)
        throw new Error(`prometheus exited: ${running.output()}`);
      return (await fetch(`${url}/-/ready`)).ok;
    },
    { timeoutMs: 30_000, intervalMs: 200, what: "prometheus to be ready" },
  );
  return {
    url,
    argv,
    async query(promql) {
      const response = await fetch(`${url}/api/v1/query?query=${encodeURIComponent(promql)}`);
      const body = (await response.json()) as {
        status: string;
        data: { result: { metric: Record<string, string>; value: [number, string] }[] };
      };
      if (body.status !== "success") throw new Error(`query failed: ${JSON.stringify(body)}`);
      return body.data.result;
    },
    async close() {
      await stop(running);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
