import { spawn, type ChildProcess } from "node:child_process";
import { Redis } from "ioredis";
import { freePort, waitFor } from "./index.js";

/** A private `redis-server` child process, which a test may stop and start again. */
export class PrivateRedis {
  readonly port: number;
  private child: ChildProcess | undefined;

  private constructor(
    port: number,
    private readonly extraArgs: string[],
  ) {
    this.port = port;
  }

  /**
   * Starts one on a free port. `extraArgs` are added to redis-server's (e.g. `--requirepass`,
   * `secret`, or `--appendonly`, `yes` with a `--dir` for a Redis that keeps its data across
   * `stop()` and `start()`).
   */
  static async start(extraArgs: string[] = []): Promise<PrivateRedis> {
    const redis = new PrivateRedis(await freePort(), extraArgs);
    await redis.start();
    return redis;
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    const args = ["--port", String(this.port), "--bind", "127.0.0.1", "--save", ""];
    const persistence = this.extraArgs.includes("--appendonly") ? [] : ["--appendonly", "no"];
    this.child = spawn("redis-server", [...args, ...persistence, ...this.extraArgs], {
      stdio: "ignore",
    });
    await waitFor(() => this.ping(), { timeoutMs: 10_000, what: "private redis-server" });
  }

  /** Kills the server (SIGKILL: like a crash) and waits for it to be gone. */
  async stop(): Promise<void> {
    const child = this.child;
    this.child = undefined;
    if (child === undefined || child.exitCode !== null) return;
    const exited = new Promise((resolve) => child.once("exit", resolve));
    child.kill("SIGKILL");
    await exited;
  }

  /** A plain client for the test's own checks; the caller disconnects it. */
  client(): Redis {
    return new Redis(this.url, { maxRetriesPerRequest: 1, lazyConnect: true });
  }

  private async ping(): Promise<boolean> {
    const password = this.extraArgs[this.extraArgs.indexOf("--requirepass") + 1];
    const client = new Redis(this.url, {
      ...(this.extraArgs.includes("--requirepass") ? { password } : {}),
      lazyConnect: true,
      maxRetriesPerRequest: 0,
      retryStrategy: () => null,
    });
    client.on("error", () => undefined);
    try {
      await client.connect();
      return (await client.ping()) === "PONG";
    } catch {
      return false;
    } finally {
      client.disconnect();
    }
  }
}
