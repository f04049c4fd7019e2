import { spawn, type ChildProcess } from "node:child_process";
import { createInterface } from "node:readline";
import { prefixLine, prettyLogLine } from "./log-format.js";

/** One process started by `sparkbot dev`, in its own process group. */
export interface Child {
  name: string;
  pid: number;
  process: ChildProcess;
  /** Resolves with the exit code (or the signal's name) once the process has exited. */
  exited: Promise<number | string>;
  exitedAlready: boolean;
  /** The last lines it printed (as printed, without the name prefix), newest last. */
  lastLines: string[];
}

/** How many of a child's last output lines are kept to explain its exit. */
const KEPT_LINES = 5;

/** Where child output and supervisor messages go. */
export type LineSink = (line: string) => void;

/**
 * The processes of one dev session. Each child gets its own process group (so that stopping it
 * stops whatever it started too), its output is prefixed with its name, and `stopAll` stops them
 * in reverse order of start: SIGTERM to the group, then SIGKILL after a deadline.
 */
export class ChildSet {
  private readonly children: Child[] = [];
  private stopping = false;
  private unexpectedExitListener: ((child: Child) => void) | undefined;
  private readonly unexpectedExits: { child: Child; code: number | string; explained: boolean }[] =
    [];

  constructor(
    private readonly sink: LineSink,
    private readonly color = false,
  ) {}

  /** Starts `command args` with `env` added to this process's environment (not once stopping). */
  start(name: string, command: string, args: string[], env: NodeJS.ProcessEnv): Child {
    if (this.stopping) throw new Error(`not starting ${name}: stopping`);
    const index = this.children.length;
    const spawned = spawn(command, args, {
      env: { ...process.env, ...env },
      stdio: ["ignore", "pipe", "pipe"],
      detached: true,
    });
    if (spawned.pid === undefined) throw new Error(`could not start ${name} (${command})`);
    const lastLines: string[] = [];
    const print = (line: string) => {
      const pretty = prettyLogLine(line);
      lastLines.push(pretty);
      if (lastLines.length > KEPT_LINES) lastLines.shift();
      this.sink(prefixLine(name, index, pretty, this.color));
    };
    const outputs = [spawned.stdout!, spawned.stderr!].map((input) => {
      const reader = createInterface({ input }).on("line", print);
      return new Promise<void>((resolve) => reader.once("close", resolve));
    });
    const outputsClosed = Promise.all(outputs);
    const child: Child = {
      name,
      pid: spawned.pid,
      process: spawned,
      exitedAlready: false,
      lastLines,
      exited: new Promise((resolve) => {
        spawned.once("exit", (code, signal) => {
          child.exitedAlready = true;
          const status = code ?? signal ?? "unknown";
          resolve(status);
          if (this.stopping) return;
          const exit = { child, code: status, explained: false };
          this.unexpectedExits.push(exit);
          // Its last lines explain the exit: wait for them (briefly: a grandchild may hold the
          // pipes) before telling.
          const pause = new Promise((resolve) => setTimeout(resolve, 500).unref());
          void Promise.race([outputsClosed, pause]).then(() => {
            exit.explained = true;
            this.unexpectedExitListener?.(child);
          });
        });
      }),
    };
    spawned.once("error", (error) => this.sink(`[${name}] failed to start: ${error.message}`));
    this.children.push(child);
    return child;
  }

  /**
   * Called once for any child that exits before `stopAll` was asked, once its last output lines
   * are read (at most half a second later).
   */
  onUnexpectedExit(listener: (child: Child) => void): void {
    this.unexpectedExitListener = listener;
  }

  /**
   * One line on the first child that exited on its own (before `stopAll`), e.g. `worker exited
   * (exit code 1): sparkbot worker: BOT_MODULE ...`, with the last line it printed; undefined
   * while none has (or its last lines are still being read).
   */
  firstExit(): string | undefined {
    const first = this.unexpectedExits[0];
    if (first === undefined || !first.explained) return undefined;
    const { child, code } = first;
    const how = typeof code === "number" ? `exit code ${code}` : `killed by ${code}`;
    const last = child.lastLines.findLast((line) => line.trim() !== "");
    return `${child.name} exited (${how})${last === undefined ? "" : `: ${last.trim()}`}`;
  }

  /** The pids of every child started, by name. */
  pids(): Record<string, number> {
    return Object.fromEntries(this.children.map((child) => [child.name, child.pid]));
  }

  /** Stops every child, newest first; each gets `graceMs` after SIGTERM before SIGKILL. */
  async stopAll(graceMs: number): Promise<void> {
    this.stopping = true;
    for (const child of [...this.children].reverse()) {
      await stopChild(child, graceMs);
    }
  }

  /** Synchronous last resort (process `exit`): SIGKILL every child's group still running. */
  killAllNow(): void {
    this.stopping = true;
    for (const child of this.children) {
      if (!child.exitedAlready) signalGroup(child.pid, "SIGKILL");
    }
  }
}

function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // The group is gone already.
  }
}

async function stopChild(child: Child, graceMs: number): Promise<void> {
  if (!child.exitedAlready) signalGroup(child.pid, "SIGTERM");
  const timedOut = await Promise.race([
    child.exited.then(() => false),
    new Promise<boolean>((resolve) => setTimeout(() => resolve(true), graceMs).unref()),
  ]);
  // Even once the leader has exited, anything it started in its group is stopped too.
  signalGroup(child.pid, timedOut ? "SIGKILL" : "SIGTERM");
  if (timedOut) await child.exited;
}
