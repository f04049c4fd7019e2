import { localhostTls } from "../../../../test-support/tls.js";
import type { Agent } from "node:http";
import { createServer, type Server } from "node:https";
import type { AddressInfo } from "node:net";
import type { TLSSocket } from "node:tls";
import { afterEach, describe, expect, it } from "vitest";
import { startConnectProxy, waitFor, type TestProxy } from "@sparkbot/testkit";

import { WebexTimeoutError } from "../../src/index.js";
import { createWebexAgent, sendHttp } from "../../src/webex/http-transport.js";

/*
 * The transport to an https server (Webex's case), direct and through a CONNECT proxy (TLS
 * inside the tunnel): sockets are reused, and an idle one is closed before the server's
 * Keep-Alive timeout — the tunnel under it included.
 */

// A test-only self-signed certificate for `localhost` (fixtures/, valid for 100 years).
const { cert, key } = localhostTls();

interface TlsServer {
  url: URL;
  /** A URL answered with `Keep-Alive: timeout=2`. */
  short: URL;
  /** Per TLS connection: whether the client ended it, and whether it is closed. */
  connections: { endedByClient: boolean; closed: boolean }[];
}

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(closers.splice(0).map((close) => close()));
});

/**
 * An https server on port 0; it announces `Keep-Alive: timeout=2` when the path ends with
 * `/short` (Node's default, 60 s, otherwise) and keeps idle sockets 60 s in any case.
 */
async function startTlsServer(): Promise<TlsServer> {
  const connections: TlsServer["connections"] = [];
  const server: Server = createServer({ cert, key }, (req, res) => {
    req.resume();
    const short = req.url?.endsWith("/short") === true;
    res.writeHead(200, {
      "content-type": "application/json",
      ...(short ? { "keep-alive": "timeout=2" } : {}),
    });
    res.end(JSON.stringify({ ok: true }));
  });
  server.keepAliveTimeout = 60_000;
  server.on("secureConnection", (socket: TLSSocket) => {
    const connection = { endedByClient: false, closed: false };
    connections.push(connection);
    socket.on("end", () => (connection.endedByClient = true));
    socket.on("close", () => (connection.closed = true));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  closers.push(() => {
    server.closeAllConnections();
    return new Promise((resolve) => server.close(() => resolve()));
  });
  const { port } = server.address() as AddressInfo;
  const url = new URL(`https://localhost:${port}/v1/people/me`);
  return { url, short: new URL(`${url.href}/short`), connections };
}

/** The pool for `url`, trusting the test certificate (the agent's options reach `tls.connect`). */
function trustingAgent(url: URL, proxy?: TestProxy): Agent {
  const agent = createWebexAgent(
    url.href,
    proxy === undefined ? undefined : { httpsProxy: proxy.url },
  );
  const options = (agent as unknown as { options: Record<string, unknown> }).options;
  options["ca"] = cert;
  closers.push(async () => agent.destroy());
  return agent;
}

const get = (agent: Agent, url: URL) =>
  sendHttp(agent, {
    method: "GET",
    url,
    headers: {},
    timeoutMs: 10_000,
    timeoutError: () => new WebexTimeoutError("timeout"),
  });

describe("https", () => {
  it("reuses a TLS socket, and closes it before the server's Keep-Alive timeout", async () => {
    const server = await startTlsServer();
    const agent = trustingAgent(server.url);
    expect((await get(agent, server.url)).status).toBe(200);
    expect((await get(agent, server.url)).status).toBe(200);
    expect(server.connections).toHaveLength(1);
    expect((await get(agent, server.short)).status).toBe(200);
    await waitFor(() => server.connections[0]?.closed, { what: "the idle socket closed" });
    expect(server.connections[0]?.endedByClient).toBe(true);
    expect((await get(agent, server.url)).text).toBe('{"ok":true}');
    expect(server.connections).toHaveLength(2);
  });

  it("through HTTPS_PROXY: TLS inside one tunnel, closed with its tunnel when idle", async () => {
    const server = await startTlsServer();
    const proxy = await startConnectProxy();
    closers.push(() => proxy.close());
    const agent = trustingAgent(server.url, proxy);
    expect((await get(agent, server.url)).status).toBe(200);
    expect((await get(agent, server.url)).status).toBe(200);
    expect(proxy.tunnels).toEqual([server.url.host]);
    expect((await get(agent, server.short)).status).toBe(200);
    // The server sees the end of the tunnel's upstream connection: the client closed the TLS
    // socket and the proxy connection under it.
    await waitFor(() => server.connections[0]?.closed, { what: "the idle tunnel closed" });
    expect(server.connections[0]?.endedByClient).toBe(true);
    expect((await get(agent, server.url)).status).toBe(200);
    expect(proxy.tunnels).toHaveLength(2);
  });
});
