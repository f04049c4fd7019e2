import { spawn, type ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";
import { waitFor } from "@sparkbot/testkit";

export const REPO_ROOT = fileURLToPath(new URL("../../../../", import.meta.url));
export const TEST_BOT_PATH = fileURLToPath(new URL("../fixtures/test-bot.ts", import.meta.url));

/** A worker running as a child process (`node --import tsx services/worker/src/main.ts`). */
export interface ChildWorker {
  readonly child: ChildProcess;
  /** Parsed JSON log lines so far. */
  readonly logs: Record<string, unknown>[];
  /** Standard error so far. */
  stderr(): string;
  /** Resolves with the exit code (or the signal name) once the process has exited. */
  readonly exited: Promise<number | string>;
  /** Waits for the "worker started" log line. */
  ready(timeoutMs?: number): Promise<void>;
  /** Kills the process if it still runs (SIGKILL) and waits for it. */
  kill(): Promise<void>;
}

/** Starts a worker process from the TypeScript sources with `env` added to this one's. */
export function spawnWorker(env: Record<string, string | undefined>): ChildWorker {
  const child = spawn(
    process.execPath,
    ["--conditions=source", "--import", "tsx", "services/worker/src/main.ts"],
    {
      cwd: REPO_ROOT,
      // Always at info: the tests read the log lines.
      env: { ...process.env, NODE_ENV: "production", ...env, LOG_LEVEL: "info" },
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  const logs: Record<string, unknown>[] = [];
  let stderr = "";
  let pending = "";
  child.stdout?.setEncoding("utf8").on("data", (chunk: string) => {
    pending += chunk;
    const lines = pending.split("\n");
    pending = lines.pop() ?? "";
    for (const line of lines) {
      try {
        logs.push(JSON.parse(line) as Record<string, unknown>);
      } catch {
        logs.push({ raw: line });
      }
    }
  });
  child.stderr?.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
  const exited = new Promise<number | string>((resolve) =>
    child.once("exit", (code, signal) => resolve(code ?? signal ?? "unknown")),
  );
  return {
    child,
    logs,
    stderr: () => stderr,
    exited,
    ready: (timeoutMs = 60_000) =>
      waitFor(() => logs.some((line) => line["msg"] === "worker started"), {
        timeoutMs,
        what: `worker process start (stderr: ${stderr})`,
      }).then(() => undefined),
    async kill() {
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
      await exited;
    },
  };
}

/** Resolves with `promise`'s value, or rejects after `ms`. */
export async function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms: ${what}`)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
