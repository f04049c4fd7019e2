import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { createServer as createTcpServer, type AddressInfo, type Socket } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { startConnectProxy, waitFor } from "@sparkbot/testkit";

import { WebexNetworkError, WebexTimeoutError, createHttpWebexClient } from "../../src/index.js";
import { createWebexAgent, sendHttp } from "../../src/webex/http-transport.js";

/*
 * The plain HTTP client's transport (node:http, a keep-alive agent) against real servers on
 * port 0: which sockets it keeps, reuses and closes, and that a failure is never retried.
 */

/** One TCP connection the server accepted: whether the client ended it, and when it closed. */
interface Connection {
  endedByClient: boolean;
  closed: boolean;
}

interface TestServer {
  url: string;
  connections: Connection[];
  requests: IncomingMessage[];
  close(): Promise<void>;
}

const servers: { close(): Promise<void> }[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

/** A server answering `handle`; it records every connection and request. */
async function startServer(
  handle: (req: IncomingMessage, res: ServerResponse) => void,
): Promise<TestServer> {
  const connections: Connection[] = [];
  const requests: IncomingMessage[] = [];
  const server: Server = createServer((req, res) => {
    requests.push(req);
    handle(req, res);
  });
  // Idle sockets stay open on the server's side unless a test closes them itself.
  server.keepAliveTimeout = 60_000;
  server.on("connection", (socket: Socket) => {
    const connection: Connection = { endedByClient: false, closed: false };
    connections.push(connection);
    socket.on("end", () => (connection.endedByClient = true));
    socket.on("close", () => (connection.closed = true));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  const running: TestServer = {
    url: `http://127.0.0.1:${port}/v1`,
    connections,
    requests,
    close: () => {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
  servers.push(running);
  return running;
}

function answerMe(keepAlive?: string): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    req.resume();
    const headers: Record<string, string> = { "content-type": "application/json" };
    if (keepAlive !== undefined) headers["keep-alive"] = keepAlive;
    res.writeHead(200, headers).end(JSON.stringify({ id: "me", n: req.headers["trackingid"] }));
  };
}

const client = (apiUrl: string, more: { timeoutMs?: number; httpProxy?: string } = {}) =>
  createHttpWebexClient({
    accessToken: "token",
    apiUrl,
    ...(more.timeoutMs === undefined ? {} : { timeoutMs: more.timeoutMs }),
    ...(more.httpProxy === undefined ? {} : { proxy: { httpProxy: more.httpProxy } }),
  });

describe("keep-alive", () => {
  it("reuses one socket for calls in a row, with a trackingid on each", async () => {
    const server = await startServer(answerMe());
    const webex = client(server.url);
    for (let n = 0; n < 5; n++) expect((await webex.people.me()).id).toBe("me");
    expect(server.connections).toHaveLength(1);
    const ids = server.requests.map((r) => r.headers["trackingid"]);
    expect(new Set(ids).size).toBe(5);
    expect(ids.every((id) => typeof id === "string" && id.startsWith("sparkbot_"))).toBe(true);
  });

  it("closes an idle socket before the server's Keep-Alive timeout; the next call opens another", async () => {
    // The server says it keeps idle sockets 2 s (it would keep them longer): the client closes
    // its socket first (after 1 s), so it never sends on a socket the server is closing.
    const server = await startServer(answerMe("timeout=2"));
    const webex = client(server.url);
    await webex.people.me();
    await waitFor(() => server.connections[0]?.closed, { what: "the idle socket closed" });
    expect(server.connections[0]?.endedByClient).toBe(true);
    expect((await webex.people.me()).id).toBe("me");
    expect(server.connections).toHaveLength(2);
  });

  it("keeps no socket whose Keep-Alive timeout is 1 s or less", async () => {
    const server = await startServer(answerMe("timeout=1"));
    const webex = client(server.url);
    await webex.people.me();
    await waitFor(() => server.connections[0]?.closed, { what: "the socket closed" });
    expect(server.connections[0]?.endedByClient).toBe(true);
    await webex.people.me();
    expect(server.connections).toHaveLength(2);
  });

  it("drops an idle socket the server ended, and sends the next call on a fresh one", async () => {
    // A server that closes idle sockets without saying when (no Keep-Alive hint).
    const server = await startServer((req, res) => {
      answerMe()(req, res);
      res.on("finish", () => setImmediate(() => req.socket.end()));
    });
    const webex = client(server.url);
    for (let n = 1; n <= 3; n++) {
      await webex.people.me();
      await waitFor(() => server.connections[n - 1]?.closed, { what: `socket ${n} closed` });
    }
    expect(server.connections).toHaveLength(3);
    expect(server.requests).toHaveLength(3);
  });

  it("never picks an idle socket the server has ended, even before it is closed", async () => {
    // The narrowest window: a call made the moment the server's FIN arrives on an idle socket
    // (its "end"), before the socket has finished closing.
    const server = await startServer((req, res) => {
      answerMe()(req, res);
      res.on("finish", () => setImmediate(() => req.socket.end()));
    });
    const url = new URL(`${server.url}/people/me`);
    const agent = createWebexAgent(url.href, undefined);
    const get = () =>
      sendHttp(agent, { method: "GET", url, headers: {}, timeoutMs: 10_000, timeoutError });
    try {
      expect((await get()).status).toBe(200);
      const idle = Object.values(agent.freeSockets).flat();
      expect(idle).toHaveLength(1);
      const next = new Promise((resolve, reject) => {
        idle[0]?.once("end", () => get().then(resolve, reject));
      });
      expect(await next).toMatchObject({ status: 200 });
      expect(server.connections).toHaveLength(2);
    } finally {
      agent.destroy();
    }
  });

  it("does not cut a slow answer on a reused socket at the idle timeout", async () => {
    // Idle sockets close after 1 s here (Keep-Alive: timeout=2); the second answer takes 1.5 s.
    let calls = 0;
    const server = await startServer((req, res) => {
      calls += 1;
      if (calls === 1) return answerMe("timeout=2")(req, res);
      setTimeout(() => answerMe("timeout=2")(req, res), 1500);
    });
    const webex = client(server.url, { timeoutMs: 10_000 });
    await webex.people.me();
    expect((await webex.people.me()).id).toBe("me");
    expect(server.connections).toHaveLength(1);
  });

  it("reuses a tunnel through the proxy, and applies the Keep-Alive timeout to it", async () => {
    // A long hint (Node's server default, 60 s) for the first calls, a 2 s one for the last.
    const keepAlive: { hint?: string } = {};
    const server = await startServer((req, res) => answerMe(keepAlive.hint)(req, res));
    const proxy = await startConnectProxy();
    servers.push(proxy);
    const webex = client(server.url, { httpProxy: proxy.url });
    await webex.people.me();
    await webex.people.me();
    expect(proxy.tunnels).toHaveLength(1);
    keepAlive.hint = "timeout=2";
    await webex.people.me();
    await waitFor(() => server.connections[0]?.closed, { what: "the idle tunnel closed" });
    expect(server.connections[0]?.endedByClient).toBe(true);
    await webex.people.me();
    expect(proxy.tunnels).toHaveLength(2);
  });
});

describe("failures, never retried", () => {
  it("no answer within the timeout is a WebexTimeoutError naming the call", async () => {
    const server = await startServer((req) => req.resume());
    const webex = client(server.url, { timeoutMs: 200 });
    const error = await webex.people.me().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WebexTimeoutError);
    expect((error as Error).message).toBe("people.me: no answer from Webex within 200 ms");
    expect(server.requests).toHaveLength(1);
  });

  it("a refused connection is a WebexNetworkError (status 0)", async () => {
    const server = await startServer(answerMe());
    const url = server.url;
    await server.close();
    const error = await client(url)
      .people.me()
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WebexNetworkError);
    expect((error as Error).message).toMatch(/ECONNREFUSED/);
  });

  it("a POST whose connection drops is a WebexNetworkError, sent once", async () => {
    const server = await startServer((req) => req.socket.destroy());
    const error = await client(server.url)
      .messages.create({ roomId: "r", text: "once" })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WebexNetworkError);
    expect(server.requests).toHaveLength(1);
    expect(server.requests[0]?.method).toBe("POST");
  });

  it("a proxy refusing the tunnel is a WebexNetworkError; nothing reaches the server", async () => {
    const server = await startServer(answerMe());
    const proxy = await startRefusingProxy();
    const error = await client(server.url, { httpProxy: proxy })
      .messages.create({ roomId: "r", text: "x" })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WebexNetworkError);
    expect((error as Error).message).toMatch(/Proxy response \(407\)/);
    expect(server.requests).toHaveLength(0);
  });

  it("a connection not up within the connect timeout is a network error, not a timeout", async () => {
    // TCP accepts, the TLS handshake never answers: the request was never sent.
    const accepted: Socket[] = [];
    const silent = createTcpServer((socket) => accepted.push(socket));
    await new Promise<void>((resolve) => silent.listen(0, "127.0.0.1", resolve));
    servers.push({
      close: () => {
        for (const socket of accepted) socket.destroy();
        return new Promise((resolve) => silent.close(() => resolve()));
      },
    });
    const url = new URL(`https://127.0.0.1:${(silent.address() as AddressInfo).port}/v1`);
    const agent = createWebexAgent(url.href, undefined);
    const error = await sendHttp(agent, {
      method: "GET",
      url,
      headers: {},
      timeoutMs: 30_000,
      connectTimeoutMs: 100,
      timeoutError,
    }).catch((e: unknown) => e);
    agent.destroy();
    expect(error).not.toBeInstanceOf(WebexTimeoutError);
    expect((error as { code?: string }).code).toBe("ECONNECTTIMEOUT");
  });
});

const timeoutError = (): Error => new WebexTimeoutError("timeout");

/** A proxy answering every CONNECT with 407; returns its URL. */
async function startRefusingProxy(): Promise<string> {
  const proxy = createServer((_req, res) => res.writeHead(405).end());
  proxy.on("connect", (_req, socket: Socket) => {
    socket.end("HTTP/1.1 407 Proxy Authentication Required\r\ncontent-length: 0\r\n\r\n");
  });
  await new Promise<void>((resolve) => proxy.listen(0, "127.0.0.1", resolve));
  servers.push({
    close: () => {
      proxy.closeAllConnections();
      return new Promise((resolve) => proxy.close(() => resolve()));
    },
  });
  return `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;
}
