// Vitest global setup: makes sure the tests have a Redis. It uses REDIS_URL or 127.0.0.1:6379
// when one answers; otherwise it starts a private `redis-server` on a free port in a temporary
// directory for this run (and stops it afterwards), and hands its URL to the tests as REDIS_URL.
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createConnection, createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";

function pings(url: string): Promise<boolean> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const socket = createConnection({ host: hostname, port: Number(port || 6379) });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(1000, () => done(false));
    socket.once("error", () => done(false));
    socket.once("connect", () => socket.write("PING\r\n"));
    socket.once("data", (data) => done(data.toString().startsWith("+PONG")));
  });
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => resolve(typeof address === "object" && address ? address.port : 0));
    });
  });
}

let redis: ChildProcess | undefined;
let directory: string | undefined;

export async function setup(): Promise<void> {
  const url = process.env["REDIS_URL"] ?? "redis://127.0.0.1:6379";
  if (await pings(url)) {
    process.env["REDIS_URL"] = url;
    return;
  }
  const port = await freePort();
  directory = mkdtempSync(join(tmpdir(), "sparkbot-test-redis-"));
  redis = spawn(
    "redis-server",
    [
      "--port",
      String(port),
      "--bind",
      "127.0.0.1",
      "--save",
      "",
      "--appendonly",
      "no",
      "--dir",
      directory,
    ],
    { stdio: "ignore" },
  );
  const failed = new Promise<never>((_, reject) =>
    redis?.once("error", () =>
      reject(
        new Error(
          `no Redis at ${url} and no redis-server on PATH: install one (apt install redis-server) or set REDIS_URL`,
        ),
      ),
    ),
  );
  const privateUrl = `redis://127.0.0.1:${port}`;
  const started = (async () => {
    for (let attempt = 0; attempt < 100; attempt += 1) {
      if (await pings(privateUrl)) return;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    throw new Error(`redis-server did not answer on ${privateUrl} within 5 s`);
  })();
  await Promise.race([started, failed]);
  process.env["REDIS_URL"] = privateUrl;
  process.stderr.write(`[tests] no Redis at ${url}: started a private one at ${privateUrl}\n`);
}

export function teardown(): void {
  redis?.kill("SIGTERM");
  if (directory !== undefined) rmSync(directory, { recursive: true, force: true });
}
