import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import {
  createServer,
  request as httpRequest,
  type IncomingHttpHeaders,
  type Server,
} from "node:http";
import { request as httpsRequest } from "node:https";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freePort } from "../packages/cli/src/lib/ports.js";
import { waitFor } from "../packages/testkit/src/index.js";
import { ROOT } from "./support/repo.js";
import { needs } from "../test-support/system-tools.js";

const HOST_NAME = "bot.example.com";
const nginxTools = needs("nginx");

interface Ports {
  http: number;
  https: number;
  upstream: number;
}

/** deploy/nginx/sparkbot.conf with its certificate, ports and upstream pointed at this test. */
function siteConfig(dir: string, ports?: Ports): string {
  let text = readFileSync(join(ROOT, "deploy/nginx/sparkbot.conf"), "utf8")
    .replace(/\/etc\/letsencrypt\/live\/[^/]+\/fullchain\.pem/g, join(dir, "cert.pem"))
    .replace(/\/etc\/letsencrypt\/live\/[^/]+\/privkey\.pem/g, join(dir, "key.pem"));
  if (ports !== undefined) {
    text = text
      .replace(/listen 80\b/g, `listen 127.0.0.1:${ports.http}`)
      .replace(/listen 443\b/g, `listen 127.0.0.1:${ports.https}`)
      .replace("server 127.0.0.1:8080", `server 127.0.0.1:${ports.upstream}`);
  }
  return text;
}

/** A minimal nginx.conf whose http block includes the site file, all state under `dir`. */
function mainConfig(dir: string, site: string): string {
  const temp = ["client_body", "proxy", "fastcgi", "uwsgi", "scgi"]
    .map((kind) => `  ${kind}_temp_path ${join(dir, kind)};`)
    .join("\n");
  return `worker_processes 1;
pid ${join(dir, "nginx.pid")};
error_log ${join(dir, "error.log")} warn;
events { worker_connections 64; }
http {
  access_log off;
${temp}
  include ${site};
}
`;
}

function prepare(ports?: Ports): { dir: string; config: string } {
  const dir = mkdtempSync(join(tmpdir(), "sparkbot-nginx-"));
  mkdirSync(join(dir, "logs"));
  const made = spawnSync(
    nginxTools.path("openssl"),
    [
      "req",
      "-x509",
      "-newkey",
      "rsa:2048",
      "-nodes",
      "-days",
      "1",
      "-subj",
      `/CN=${HOST_NAME}`,
      "-keyout",
      join(dir, "key.pem"),
      "-out",
      join(dir, "cert.pem"),
    ],
    { stdio: "ignore" },
  );
  if (made.status !== 0) throw new Error("openssl could not make a test certificate");
  writeFileSync(join(dir, "sparkbot.conf"), siteConfig(dir, ports));
  writeFileSync(join(dir, "nginx.conf"), mainConfig(dir, join(dir, "sparkbot.conf")));
  return { dir, config: join(dir, "nginx.conf") };
}

nginxTools.describe("deploy/nginx/sparkbot.conf", () => {
  it("passes nginx -t (with a throwaway certificate in place of Let's Encrypt's)", () => {
    const { dir, config } = prepare();
    try {
      const result = spawnSync(
        nginxTools.path("nginx"),
        ["-t", "-p", dir, "-e", join(dir, "error.log"), "-c", config],
        {
          encoding: "utf8",
        },
      );
      expect(result.stderr).toContain("test is successful");
      expect(result.status).toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  describe("in front of a stand-in receiver", () => {
    let nginx: ChildProcess;
    let upstream: Server;
    let dir: string;
    let ports: Ports;
    const seen: { method: string; url: string; headers: IncomingHttpHeaders }[] = [];

    beforeAll(async () => {
      upstream = createServer((req, res) => {
        seen.push({ method: req.method ?? "", url: req.url ?? "", headers: req.headers });
        req.resume();
        req.on("end", () => res.writeHead(202).end("accepted"));
      });
      await new Promise<void>((resolve) => upstream.listen(0, "127.0.0.1", resolve));
      const address = upstream.address();
      if (typeof address !== "object" || address === null) throw new Error("no upstream port");
      ports = { http: await freePort(), https: await freePort(), upstream: address.port };
      const prepared = prepare(ports);
      dir = prepared.dir;
      nginx = spawn(
        nginxTools.path("nginx"),
        ["-p", dir, "-e", join(dir, "error.log"), "-c", prepared.config, "-g", "daemon off;"],
        {
          stdio: "ignore",
        },
      );
      await waitFor(() => send("GET", "/healthz").then((r) => r.status === 202), {
        timeoutMs: 10_000,
        what: "nginx to proxy",
      });
      seen.length = 0;
    });

    afterAll(async () => {
      if (nginx?.exitCode === null) {
        nginx.kill("SIGTERM");
        await new Promise((resolve) => nginx.once("exit", resolve));
      }
      await new Promise((resolve) => upstream?.close(resolve));
      if (dir) rmSync(dir, { recursive: true, force: true });
    });

    function send(
      method: string,
      path: string,
      body = "",
    ): Promise<{ status: number; headers: IncomingHttpHeaders }> {
      return new Promise((resolve, reject) => {
        const req = httpsRequest(
          {
            host: "127.0.0.1",
            port: ports.https,
            servername: HOST_NAME,
            rejectUnauthorized: false,
            method,
            path,
            headers: { host: HOST_NAME, "content-type": "application/json" },
            timeout: 30_000,
          },
          (res) => {
            res.resume();
            res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers }));
          },
        );
        req.on("error", reject);
        req.end(body);
      });
    }

    it("forwards webhook POSTs with X-Forwarded-* headers", async () => {
      const response = await send("POST", "/sparkbot", '{"id":"x"}');
      expect(response.status).toBe(202);
      const forwarded = seen.at(-1)!;
      expect(forwarded).toMatchObject({ method: "POST", url: "/sparkbot" });
      expect(forwarded.headers["x-forwarded-proto"]).toBe("https");
      expect(forwarded.headers["x-forwarded-for"]).toBe("127.0.0.1");
      expect(forwarded.headers["host"]).toBe(HOST_NAME);
    });

    it("refuses bodies over client_max_body_size with 413, before the receiver sees them", async () => {
      const before = seen.length;
      const response = await send("POST", "/sparkbot", "x".repeat(300 * 1024));
      expect(response.status).toBe(413);
      expect(seen.length).toBe(before);
    });

    it("exposes only the webhook path and health checks: /metrics is 404 from nginx", async () => {
      const before = seen.length;
      expect((await send("GET", "/metrics")).status).toBe(404);
      expect((await send("GET", "/sparkbot")).status).toBe(403);
      expect(seen.length).toBe(before);
      expect((await send("GET", "/readyz")).status).toBe(202);
    });

    it("redirects plain http to https", async () => {
      const status = await new Promise<{ status: number; location: string | undefined }>(
        (resolve, reject) => {
          const req = httpRequest(
            {
              host: "127.0.0.1",
              port: ports.http,
              path: "/sparkbot",
              headers: { host: HOST_NAME },
            },
            (res) => {
              res.resume();
              resolve({ status: res.statusCode ?? 0, location: res.headers.location });
            },
          );
          req.on("error", reject);
          req.end();
        },
      );
      expect(status).toEqual({ status: 301, location: `https://${HOST_NAME}/sparkbot` });
    });
  });
});
