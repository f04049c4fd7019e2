import { Agent as HttpAgent, request as httpRequest, type IncomingHttpHeaders } from "node:http";
import { Agent as HttpsAgent, request as httpsRequest } from "node:https";
import type { Duplex } from "node:stream";
import { TLSSocket } from "node:tls";
import { HttpsProxyAgent } from "https-proxy-agent";

import type { WebexProxy } from "./client.js";

/**
 * The way out to Webex on `node:http`/`node:https`: a keep-alive connection pool per API URL
 * (through a `CONNECT` tunnel when a proxy applies), and one JSON-over-HTTP exchange on it that
 * never retries. Shared by core's plain HTTP client and the receiver's websocket listener.
 */

/** Sockets per host at most, in use and idle alike. */
export const POOL_SOCKETS = 64;
/** An idle socket is closed after this, or sooner when the server's `Keep-Alive` says so. */
export const IDLE_SOCKET_MS = 30_000;
/** A new connection (TCP, and TLS for https) must be up within this, else a network error. */
export const CONNECT_TIMEOUT_MS = 10_000;

/**
 * True when `NO_PROXY` (`noProxy`) names the API URL's host: `*`, the host itself, a parent
 * domain (`example.com` or `.example.com` for `api.example.com`), with an optional `:port`.
 */
export function bypassesProxy(apiUrl: string, noProxy: string | undefined): boolean {
  const url = new URL(apiUrl);
  const host = url.hostname.replace(/^\[|\]$/g, "").toLowerCase();
  const port = url.port !== "" ? url.port : url.protocol === "https:" ? "443" : "80";
  for (const raw of (noProxy ?? "").split(/[\s,]+/)) {
    const entry = raw.trim().toLowerCase();
    if (entry === "") continue;
    if (entry === "*") return true;
    const match = /^(.*?)(?::(\d+))?$/.exec(entry);
    const name = (match?.[1] ?? entry).replace(/^\*?\./, "").replace(/^\[|\]$/g, "");
    if (match?.[2] !== undefined && match[2] !== port) continue;
    if (host === name || host.endsWith(`.${name}`)) return true;
  }
  return false;
}

/**
 * The connection pool for `url`'s origin: keep-alive sockets (at most 64), through the proxy
 * for the URL's scheme (`HTTPS_PROXY` for https, `HTTP_PROXY` for http: a `CONNECT` tunnel, TLS
 * to the server inside it for https) unless `NO_PROXY` names its host.
 *
 * An idle socket is closed after 30 s, or 1 s before the server's `Keep-Alive: timeout=` (Node's
 * agent reads that hint and keeps no socket whose hint is 1 s or less), and at once when the
 * server ends it, so that a request is not sent on a socket the server is closing.
 */
export function createWebexAgent(url: string, proxy: WebexProxy | undefined): HttpAgent {
  const pool = {
    keepAlive: true,
    maxSockets: POOL_SOCKETS,
    maxFreeSockets: POOL_SOCKETS,
    timeout: IDLE_SOCKET_MS,
    scheduling: "lifo" as const,
  };
  const secure = url.startsWith("https:");
  const proxyUrl = secure ? proxy?.httpsProxy : proxy?.httpProxy;
  if (proxyUrl === undefined || bypassesProxy(url, proxy?.noProxy)) {
    return closeEndedIdleSockets(secure ? new HttpsAgent(pool) : new HttpAgent(pool));
  }
  const tunnel = new HttpsProxyAgent(proxyUrl, pool);
  // HttpsProxyAgent replaces the options Node's agent keeps (its idle timeout among them) with
  // `{ path: undefined }`; the timeout goes back, else idle tunnels would never be closed.
  const kept = tunnel as unknown as { options: Record<string, unknown> };
  kept.options = { ...kept.options, timeout: IDLE_SOCKET_MS };
  return closeEndedIdleSockets(tunnel);
}

/**
 * Destroys an idle socket as soon as its server ends it (its FIN), rather than once the close
 * completes, and never pools a socket the server has already ended: Node's agent only skips
 * destroyed sockets when it picks one.
 */
function closeEndedIdleSockets<A extends HttpAgent>(agent: A): A {
  const idle = new WeakSet<Duplex>();
  const watched = new WeakSet<Duplex>();
  const keepSocketAlive = agent.keepSocketAlive.bind(agent);
  const reuseSocket = agent.reuseSocket.bind(agent);
  // Node's documented contract: a falsy return destroys the socket instead of pooling it.
  agent.keepSocketAlive = (socket: Duplex): boolean => {
    if (socket.readableEnded || !socket.writable) return false;
    if ((keepSocketAlive(socket) as unknown) === false) return false;
    idle.add(socket);
    if (!watched.has(socket)) {
      watched.add(socket);
      socket.on("end", () => {
        if (idle.has(socket)) socket.destroy();
      });
    }
    return true;
  };
  agent.reuseSocket = (socket, request) => {
    idle.delete(socket);
    reuseSocket(socket, request);
  };
  return agent;
}

/** One request: `body` is sent as is (with its `content-length`). */
export interface HttpExchange {
  method: string;
  url: URL;
  headers: Record<string, string>;
  body?: string | undefined;
  /** The whole exchange (connection, proxy tunnel, answer and body) must end within this. */
  timeoutMs: number;
  /** What the exchange rejects with when `timeoutMs` passes first. */
  timeoutError: () => Error;
  /** A new connection's limit (default `CONNECT_TIMEOUT_MS`): past it, a network error. */
  connectTimeoutMs?: number | undefined;
}

/** A complete answer, whatever its status: the headers (lower-case names) and the body text. */
export interface HttpAnswer {
  status: number;
  headers: IncomingHttpHeaders;
  text: string;
}

/**
 * Sends one request on `agent` and reads the whole answer. Never retried: a failure before a
 * complete answer (refused, reset, TLS, a proxy refusing the tunnel, a new connection not up
 * within `connectTimeoutMs`: the request was not sent) rejects with the network error;
 * `timeoutMs` rejects with `timeoutError()` and destroys the socket.
 */
export function sendHttp(agent: HttpAgent, exchange: HttpExchange): Promise<HttpAnswer> {
  const { method, url, body, timeoutMs } = exchange;
  const headers: Record<string, string> = { ...exchange.headers };
  if (body !== undefined) headers["content-length"] = String(Buffer.byteLength(body));
  const send = url.protocol === "https:" ? httpsRequest : httpRequest;
  return new Promise<HttpAnswer>((resolve, reject) => {
    let settled = false;
    const req = send(url, { method, headers, agent });
    const fail = (error: Error): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      req.destroy();
      reject(error);
    };
    const timer = setTimeout(() => fail(exchange.timeoutError()), timeoutMs);
    req.on("error", fail);
    req.on("socket", (socket) => {
      if (!socket.connecting) return; // a pooled socket, or a tunnel already up
      const limit = exchange.connectTimeoutMs ?? CONNECT_TIMEOUT_MS;
      const connecting = setTimeout(() => {
        const error = new Error(`${url.host}: no connection within ${limit} ms`);
        fail(Object.assign(error, { code: "ECONNECTTIMEOUT" }));
      }, limit);
      const connected = (): void => clearTimeout(connecting);
      socket.once(socket instanceof TLSSocket ? "secureConnect" : "connect", connected);
      socket.once("close", connected);
    });
    // https-proxy-agent's report of the proxy's answer to CONNECT: anything but 200 is a
    // network failure (it would otherwise hand the proxy's answer on as the server's).
    req.on("proxyConnect", (connect: { statusCode?: number }) => {
      const status = connect.statusCode ?? 0;
      if (status !== 200) fail(new Error(`Proxy response (${status}) !== 200 when HTTP Tunneling`));
    });
    req.on("response", (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (chunk: Buffer) => chunks.push(chunk));
      res.on("error", fail);
      res.on("end", () => {
        if (settled) return;
        if (!res.complete) return fail(new Error("aborted"));
        settled = true;
        clearTimeout(timer);
        resolve({ status: res.statusCode ?? 0, headers: res.headers, text: decodeUtf8(chunks) });
      });
    });
    req.end(body);
  });
}

/** The body as UTF-8 text, without a leading byte order mark. */
function decodeUtf8(chunks: Buffer[]): string {
  const data = chunks.length === 1 && chunks[0] !== undefined ? chunks[0] : Buffer.concat(chunks);
  const bom = data.length >= 3 && data[0] === 0xef && data[1] === 0xbb && data[2] === 0xbf;
  return data.toString("utf8", bom ? 3 : 0);
}
