import { spawn, type ChildProcess } from "node:child_process";
import { createInterface } from "node:readline";
import { readCpuMs, readPeakRssMb } from "./procfs.js";

/** How a benchmark child process is started. */
export interface ProcessSpec {
  /** Short name used in errors and diagnostics, e.g. `receiver`, `worker-2`. */
  name: string;
  /** Script run with the current Node binary. */
  script: string;
  args?: string[];
  env?: Record<string, string | undefined>;
  /** Extra `node` flags, e.g. `--cpu-prof`. */
  nodeArgs?: string[];
  cwd?: string;
  /** Called with every line the process writes (stdout and stderr). */
  onLine?: (line: string) => void;
}

/** A running child process: its output lines, its peak memory, and a bounded stop. */
export interface ChildHandle {
  readonly name: string;
  readonly pid: number;
  readonly child: ChildProcess;
  /** Resolves with the exit code (or signal name) once the process has exited. */
  readonly exited: Promise<number | string>;
  /** The last lines the process wrote (stdout and stderr), for error messages. */
  tail(): string;
  /** How many lines the process wrote in all (log volume under load is a cost too). */
  lineCount(): number;
  /** Resolves with the first stdout line matching `predicate`, or rejects after `timeoutMs`. */
  waitForLine(predicate: (line: string) => boolean, timeoutMs: number): Promise<string>;
  /** Highest VmHWM seen so far (MB); sampled every 200 ms while the process runs. */
  peakRssMb(): number;
  /** CPU time (user + system, ms) used so far; the last sample once the process is gone. */
  cpuMs(): number;
  /** SIGTERM, then SIGKILL after `graceMs`; resolves once the process is gone. */
  stop(graceMs?: number): Promise<void>;
}

const TAIL_LINES = 40;
const running = new Set<ChildHandle>();

/** Starts `node [nodeArgs] script [args]` with piped output that is always drained. */
export function startProcess(spec: ProcessSpec): ChildHandle {
  const child = spawn(
    process.execPath,
    [...(spec.nodeArgs ?? []), spec.script, ...(spec.args ?? [])],
    {
      cwd: spec.cwd,
      env: { ...process.env, ...spec.env },
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  if (child.pid === undefined) throw new Error(`${spec.name}: could not start ${spec.script}`);
  const pid = child.pid;
  const lines: string[] = [];
  let lineCount = 0;
  const listeners = new Set<(line: string) => void>();
  const remember = (line: string): void => {
    spec.onLine?.(line);
    lineCount++;
    lines.push(line);
    if (lines.length > TAIL_LINES) lines.shift();
  };
  createInterface({ input: child.stdout }).on("line", (line) => {
    remember(line);
    for (const listener of listeners) listener(line);
  });
  createInterface({ input: child.stderr }).on("line", remember);

  let peak = 0;
  let cpu = 0;
  const sample = (): void => {
    peak = Math.max(peak, readPeakRssMb(pid) ?? 0);
    cpu = readCpuMs(pid) ?? cpu;
  };
  const sampler = setInterval(sample, 200);
  sampler.unref();
  const exited = new Promise<number | string>((resolve) => {
    child.once("exit", (code, signal) => {
      clearInterval(sampler);
      resolve(code ?? signal ?? "unknown");
    });
  });
  let alive = true;
  void exited.then(() => {
    alive = false;
    running.delete(handle);
  });

  const handle: ChildHandle = {
    name: spec.name,
    pid,
    child,
    exited,
    tail: () => lines.join("\n"),
    lineCount: () => lineCount,
    waitForLine(predicate, timeoutMs) {
      return new Promise<string>((resolve, reject) => {
        const timer = setTimeout(() => {
          listeners.delete(listener);
          reject(
            new Error(`${spec.name}: not ready after ${timeoutMs} ms; output:\n${handle.tail()}`),
          );
        }, timeoutMs);
        const listener = (line: string): void => {
          if (!predicate(line)) return;
          clearTimeout(timer);
          listeners.delete(listener);
          resolve(line);
        };
        listeners.add(listener);
        void exited.then((code) => {
          clearTimeout(timer);
          listeners.delete(listener);
          reject(
            new Error(`${spec.name}: exited (${code}) before ready; output:\n${handle.tail()}`),
          );
        });
      });
    },
    peakRssMb() {
      if (alive) sample();
      return peak;
    },
    cpuMs() {
      if (alive) sample();
      return cpu;
    },
    async stop(graceMs = 5_000) {
      if (!alive) return;
      sample();
      child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), graceMs);
      await exited;
      clearTimeout(timer);
    },
  };
  running.add(handle);
  return handle;
}

/** Reads the JSON object of a line `READY {...}` printed by the bench's own child scripts. */
export async function waitForReady<T>(handle: ChildHandle, timeoutMs = 20_000): Promise<T> {
  const line = await handle.waitForLine((l) => l.startsWith("READY "), timeoutMs);
  return JSON.parse(line.slice("READY ".length)) as T;
}

/** Kills every child still running (used on errors and signals). */
export async function stopAll(): Promise<void> {
  await Promise.all([...running].map((handle) => handle.stop(2_000)));
}
