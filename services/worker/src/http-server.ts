import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { Registry } from "prom-client";

/** What `/healthz` reports; healthy means the worker runs and reaches Redis. */
export interface HealthCheck {
  (): { healthy: boolean; detail: Record<string, unknown> };
}

export interface OpsServer {
  /** Base URL, e.g. `http://127.0.0.1:9464`. */
  readonly url: string;
  close(): Promise<void>;
}

/**
 * The worker's small operations server: `GET /metrics` (Prometheus text format) and
 * `GET /healthz` (200 when healthy, 503 otherwise, JSON either way). Anything else is 404.
 */
export async function startOpsServer(options: {
  host: string;
  port: number;
  registry: Registry;
  health: HealthCheck;
}): Promise<OpsServer> {
  const server = createServer((request, response) => {
    const path = (request.url ?? "/").split("?")[0];
    if (request.method !== "GET" && request.method !== "HEAD") {
      response.writeHead(405, { allow: "GET, HEAD" }).end();
    } else if (path === "/metrics") {
      options.registry.metrics().then(
        (text) =>
          response.writeHead(200, { "content-type": options.registry.contentType }).end(text),
        () => response.writeHead(500).end(),
      );
    } else if (path === "/healthz") {
      const { healthy, detail } = options.health();
      response
        .writeHead(healthy ? 200 : 503, { "content-type": "application/json" })
        .end(JSON.stringify({ status: healthy ? "ok" : "unavailable", ...detail }));
    } else {
      response.writeHead(404, { "content-type": "text/plain" }).end("Not found\n");
    }
  });
  await listen(server, options.port, options.host);
  const { port } = server.address() as AddressInfo;
  const host = options.host === "0.0.0.0" || options.host === "::" ? "127.0.0.1" : options.host;
  return {
    url: `http://${host.includes(":") ? `[${host}]` : host}:${port}`,
    close: () => closeServer(server),
  };
}

function listen(server: Server, port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => {
      server.off("error", reject);
      resolve();
    });
  });
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}
