import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePort } from "../lib/ports.js";
import { redisAnswers } from "../lib/redis-ping.js";
import type { ChildSet } from "./children.js";

/** The Redis a dev session uses, and whether it started it. */
export interface DevRedis {
  url: string;
  /** "env" (REDIS_URL), "local" (127.0.0.1:6379) or "private" (a redis-server started here). */
  source: "env" | "local" | "private";
  /** Deletes the private server's temporary directory (after the process is stopped). */
  cleanup(): void;
}

export const LOCAL_REDIS_URL = "redis://127.0.0.1:6379";

export const NO_REDIS_HINT =
  "no Redis found: none at 127.0.0.1:6379 and no redis-server on PATH. Install it (Debian/Ubuntu: `sudo apt install redis-server`, macOS: `brew install redis`), or set REDIS_URL=redis://host:port";

/** Thrown when no Redis can be found or started; its message is the one line to print. */
export class NoRedisError extends Error {}

function redisServerOnPath(env: NodeJS.ProcessEnv): boolean {
  return spawnSync("redis-server", ["--version"], { stdio: "ignore", env }).status === 0;
}

async function waitUntilAnswers(url: string, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await redisAnswers(url, 300)) return true;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return false;
}

/**
 * Finds the Redis for a dev session: `REDIS_URL` if set (it must answer), else 127.0.0.1:6379
 * if it answers, else a private `redis-server` on a free port, started as one of `children`,
 * with every write on disk before it is acknowledged (AOF, `appendfsync always`), as the
 * receiver's 2xx and the worker's ledger need. Its data lives in `dataDir` when given (kept
 * across sessions: jobs accepted before a crash run at the next start), else in a temporary
 * directory removed at the end. `env` is where `REDIS_URL` and `PATH` are read.
 */
export async function provideRedis(
  env: NodeJS.ProcessEnv,
  children: ChildSet,
  localUrl = LOCAL_REDIS_URL,
  dataDir?: string,
): Promise<DevRedis> {
  const configured = env["REDIS_URL"]?.trim();
  if (configured) {
    if (!(await redisAnswers(configured, 2_000))) {
      throw new NoRedisError(
        `REDIS_URL=${configured} does not answer PING: start it or unset REDIS_URL`,
      );
    }
    return { url: configured, source: "env", cleanup: () => undefined };
  }
  if (await redisAnswers(localUrl)) {
    return { url: localUrl, source: "local", cleanup: () => undefined };
  }
  if (!redisServerOnPath(env)) throw new NoRedisError(NO_REDIS_HINT);
  const port = await freePort();
  const dir = dataDir ?? mkdtempSync(join(tmpdir(), "sparkbot-redis-"));
  mkdirSync(dir, { recursive: true });
  const args = ["--port", String(port), "--bind", "127.0.0.1", "--dir", dir, "--save", ""];
  const durable = ["--appendonly", "yes", "--appendfsync", "always"];
  children.start("redis", "redis-server", [...args, ...durable], { PATH: env["PATH"] });
  const url = `redis://127.0.0.1:${port}`;
  if (!(await waitUntilAnswers(url, 10_000))) {
    throw new NoRedisError(`redis-server started on port ${port} but does not answer PING`);
  }
  const cleanup = () => {
    if (dataDir === undefined) rmSync(dir, { recursive: true, force: true });
  };
  return { url, source: "private", cleanup };
}
