// A private redis-server for one fault scenario: its own port and directory, AOF with
// `appendfsync always` (what SparkBot's guarantees assume), killed and restarted at will on the
// same port and directory. The machine's shared Redis is never touched.
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createConnection } from "node:net";
import { freePort, sleep } from "../lib/net.js";

/** A redis-server process that can crash and come back. */
export interface PrivateRedis {
  readonly url: string;
  readonly port: number;
  readonly dir: string;
  /** Starts the server (again), on the same port and directory; resolves once it answers PING. */
  start(): Promise<void>;
  /** Sends `signal` to the server (SIGKILL: a crash; SIGSTOP/SIGCONT: a freeze and a thaw). */
  signal(signal: NodeJS.Signals): void;
  /** SIGKILL, and resolves once the process is gone. */
  crash(): Promise<void>;
  /** Stops the server for good and removes its directory. */
  dispose(): Promise<void>;
  /** The last lines the server wrote (for errors). */
  tail(): string;
}

const alive = new Set<ChildProcess>();

/** SIGKILLs every private redis-server still running (on exit, errors and signals). */
export function killAllRedis(): void {
  for (const child of alive) {
    child.kill("SIGCONT");
    child.kill("SIGKILL");
  }
  alive.clear();
}

/** The redis-server binary (`REDIS_SERVER`, else `redis-server` from the PATH). */
export const REDIS_SERVER = process.env["REDIS_SERVER"] ?? "redis-server";

/** Creates (does not start) a private Redis in a fresh temporary directory on a free port. */
export async function createPrivateRedis(label: string): Promise<PrivateRedis> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), `sparkbot-faults-${label}-`));
  let child: ChildProcess | undefined;
  let exited: Promise<void> = Promise.resolve();
  const lines: string[] = [];
  const keep = (chunk: Buffer): void => {
    lines.push(...chunk.toString("utf8").split("\n").filter(Boolean));
    if (lines.length > 30) lines.splice(0, lines.length - 30);
  };

  const start = async (): Promise<void> => {
    if (child !== undefined) throw new Error("redis-server is already running");
    const proc = spawn(
      REDIS_SERVER,
      [
        "--port",
        String(port),
        "--bind",
        "127.0.0.1",
        "--dir",
        dir,
        "--appendonly",
        "yes",
        "--appendfsync",
        "always",
        "--save",
        "",
        "--daemonize",
        "no",
      ],
      { stdio: ["ignore", "pipe", "pipe"] },
    );
    proc.stdout?.on("data", keep);
    proc.stderr?.on("data", keep);
    child = proc;
    alive.add(proc);
    exited = new Promise((resolve) => {
      proc.once("exit", () => {
        alive.delete(proc);
        if (child === proc) child = undefined;
        resolve();
      });
      proc.once("error", (error) => {
        keep(Buffer.from(`spawn failed: ${error.message}`));
        if (child === proc) child = undefined;
        resolve();
      });
    });
    const deadline = Date.now() + 15_000;
    while (Date.now() < deadline) {
      if (child !== proc) throw new Error(`redis-server exited at start:\n${lines.join("\n")}`);
      if (await answersPing(port)) return;
      await sleep(50);
    }
    throw new Error(`redis-server on port ${port} did not answer within 15 s`);
  };

  const crash = async (): Promise<void> => {
    child?.kill("SIGKILL");
    await exited;
  };

  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    dir,
    start,
    signal: (signal) => void child?.kill(signal),
    crash,
    async dispose() {
      child?.kill("SIGCONT");
      await crash();
      rmSync(dir, { recursive: true, force: true });
    },
    tail: () => lines.join("\n"),
  };
}

/** True when a Redis on `port` answers PING (and has loaded its data: no LOADING error). */
function answersPing(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: "127.0.0.1", port });
    const timer = setTimeout(() => done(false), 1_000);
    const done = (ok: boolean): void => {
      clearTimeout(timer);
      socket.destroy();
      resolve(ok);
    };
    socket.once("error", () => done(false));
    socket.once("connect", () => socket.write("PING\r\n"));
    socket.once("data", (data) => done(data.toString("utf8").startsWith("+PONG")));
  });
}
