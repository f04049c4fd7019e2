import { spawn, type ChildProcess } from "node:child_process";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { Redis } from "ioredis";
import type Koa from "koa";
import type { WebhookEvent } from "@sparkbot/core";
import { freePort, waitFor } from "@sparkbot/testkit";
import { signBody } from "../src/signature.js";

/** Serves a Koa app on 127.0.0.1 at a free port. */
export async function serve(app: Koa): Promise<{ url: string; close(): Promise<void> }> {
  const server: Server = createServer(app.callback());
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

let counter = 0;

/** A `messages/created` envelope as Webex sends it, with a fresh message id. */
export function makeEvent(overrides: Partial<WebhookEvent> = {}): WebhookEvent {
  counter += 1;
  return {
    id: "webhook-1",
    name: "SparkBot messages/created",
    targetUrl: "http://example.test/sparkbot",
    resource: "messages",
    event: "created",
    orgId: "org-1",
    createdBy: "bot-1",
    appId: "app-1",
    ownedBy: "creator",
    status: "active",
    created: "2026-01-01T00:00:00.000Z",
    actorId: "person-1",
    data: {
      id: `message-${process.pid}-${Date.now()}-${counter}`,
      roomId: "room-1",
      roomType: "group",
      personId: "person-1",
      personEmail: "someone@example.com",
      created: "2026-01-01T00:00:00.000Z",
    },
    ...overrides,
  };
}

/** POSTs `body` (an object is JSON-encoded), signed with `secret` unless `signature` is given. */
export function post(
  url: string,
  body: unknown,
  options: { secret?: string; signature?: string | null } = {},
): Promise<Response> {
  const raw = typeof body === "string" || Buffer.isBuffer(body) ? body : JSON.stringify(body);
  const headers: Record<string, string> = { "content-type": "application/json" };
  const signature =
    options.signature === undefined
      ? options.secret !== undefined
        ? signBody(options.secret, raw)
        : undefined
      : options.signature;
  if (signature !== undefined && signature !== null) headers["x-spark-signature"] = signature;
  return fetch(url, { method: "POST", headers, body: raw });
}

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

  /** Starts one; `extraArgs` are added to redis-server's (e.g. `--requirepass`, `secret`). */
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
    this.child = spawn("redis-server", [...args, "--appendonly", "no", ...this.extraArgs], {
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
