import { execFile, spawn, type ChildProcess } from "node:child_process";
import { readFileSync } from "node:fs";

/** Output and exit of a command run to completion. */
export interface Finished {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `command args` to completion (bounded by `timeoutMs`) and resolves with its output. */
export function run(
  command: string,
  args: string[],
  options: { cwd?: string; env?: NodeJS.ProcessEnv; timeoutMs?: number } = {},
): Promise<Finished> {
  return new Promise((resolve) => {
    execFile(
      command,
      args,
      { cwd: options.cwd, env: options.env ?? process.env, timeout: options.timeoutMs ?? 60_000 },
      (error, stdout, stderr) => {
        const code = error === null ? 0 : typeof error.code === "number" ? error.code : null;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

/** A long-running child whose output is kept for assertions and failure messages. */
export interface Running {
  process: ChildProcess;
  output(): string;
  exited: Promise<number | string>;
}

/**
 * Starts a long-running child, keeping stdout and stderr together. With `detached` it leads its
 * own process group, so that `interrupt` can press Ctrl-C on the whole group as a terminal does.
 */
export function start(
  command: string,
  args: string[],
  options: { cwd?: string; env?: NodeJS.ProcessEnv; detached?: boolean } = {},
): Running {
  const child = spawn(command, args, {
    cwd: options.cwd,
    env: options.env ?? process.env,
    stdio: ["ignore", "pipe", "pipe"],
    detached: options.detached ?? false,
  });
  let text = "";
  child.stdout?.on("data", (chunk: Buffer) => (text += chunk.toString()));
  child.stderr?.on("data", (chunk: Buffer) => (text += chunk.toString()));
  const exited = new Promise<number | string>((resolve) =>
    child.once("exit", (code, signal) => resolve(code ?? signal ?? "unknown")),
  );
  return { process: child, output: () => text, exited };
}

/** Ctrl-C in a terminal: SIGINT to every process of the child's process group. */
export function interrupt(running: Running): void {
  if (running.process.pid !== undefined) process.kill(-running.process.pid, "SIGINT");
}

/** Stops a child: SIGTERM, then SIGKILL after `graceMs`. */
export async function stop(running: Running | undefined, graceMs = 10_000): Promise<void> {
  if (running === undefined) return;
  if (running.process.exitCode !== null || running.process.signalCode !== null) return;
  running.process.kill("SIGTERM");
  const timer = setTimeout(() => running.process.kill("SIGKILL"), graceMs);
  await running.exited;
  clearTimeout(timer);
}

/** True while a process with this pid exists (and is not a zombie). */
export function alive(pid: number): boolean {
  try {
    const state = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]?.[0];
    return state !== "Z";
  } catch {
    return false;
  }
}

/** The command line of a running process, from /proc. */
export function commandLine(pid: number): string[] {
  return readFileSync(`/proc/${pid}/cmdline`, "utf8")
    .split("\0")
    .filter((part) => part !== "");
}
