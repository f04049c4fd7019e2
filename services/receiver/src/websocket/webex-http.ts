import type { Agent as HttpAgent } from "node:http";
import { HttpsProxyAgent } from "https-proxy-agent";
import { bypassesProxy, createWebexAgent, sendHttp, type WebexProxy } from "@sparkbot/core";

/** A JSON call to a Webex service (U2C, WDM) with the bot's token; never throws on a status. */
export interface JsonAnswer {
  status: number;
  json: Record<string, unknown>;
}

/**
 * The listener's way out to Webex: its REST calls (U2C, WDM) on core's keep-alive pools
 * (`createWebexAgent`, `sendHttp`: `node:http(s)`) and the agent its websocket connects with,
 * both through the configured proxy (`HTTPS_PROXY` for https/wss URLs, `HTTP_PROXY` for
 * http/ws) unless `NO_PROXY` names the host — the rule of the plain HTTP client
 * (`bypassesProxy`).
 */
export interface WebexHttp {
  /** Calls `method url` with `Bearer <token>`; rejects on network errors and after `timeoutMs`. */
  call(
    method: string,
    url: string,
    token: string,
    body?: unknown,
    timeoutMs?: number,
  ): Promise<JsonAnswer>;
  /** The agent tunnelling a websocket to `url` through the proxy (CONNECT); undefined: direct. */
  socketAgent(url: string): HttpAgent | undefined;
  /** Closes the pooled connections, once the calls under way have ended. */
  close(): Promise<void>;
}

export function createWebexHttp(proxy: WebexProxy | undefined): WebexHttp {
  const pools = new Map<string, HttpAgent>();
  const agents = new Map<string, HttpsProxyAgent<string>>();
  const inFlight = new Set<Promise<unknown>>();
  const poolFor = (url: URL): HttpAgent => {
    let pool = pools.get(url.origin);
    if (pool === undefined) {
      pool = createWebexAgent(url.href, proxy);
      pools.set(url.origin, pool);
    }
    return pool;
  };
  return {
    async call(method, url, token, body, timeoutMs = 15_000) {
      const target = new URL(url);
      const sending = sendHttp(poolFor(target), {
        method,
        url: target,
        headers: {
          authorization: `Bearer ${token}`,
          ...(body === undefined ? {} : { "content-type": "application/json" }),
        },
        body: body === undefined ? undefined : JSON.stringify(body),
        timeoutMs,
        timeoutError: () => {
          const error = new Error(`${method} ${target.origin}: no answer within ${timeoutMs} ms`);
          error.name = "TimeoutError";
          return error;
        },
      });
      inFlight.add(sending);
      const answer = await sending.finally(() => inFlight.delete(sending));
      return { status: answer.status, json: parseJson(answer.text) };
    },
    socketAgent(url) {
      // Same scheme rule as REST: wss is https (HTTPS_PROXY, port 443), ws is http.
      const asHttp = url.replace(/^ws(s?):/i, "http$1:");
      const proxyUrl = asHttp.startsWith("https:") ? proxy?.httpsProxy : proxy?.httpProxy;
      if (proxyUrl === undefined || bypassesProxy(asHttp, proxy?.noProxy)) return undefined;
      let agent = agents.get(proxyUrl);
      if (agent === undefined) {
        // CONNECT for ws and wss alike (TLS to the target inside the tunnel for wss).
        agent = new HttpsProxyAgent(proxyUrl);
        agents.set(proxyUrl, agent);
      }
      return agent;
    },
    async close() {
      // As a pool's close: the calls under way end first (each within its timeout).
      await Promise.allSettled([...inFlight]);
      for (const pool of pools.values()) pool.destroy();
      pools.clear();
      for (const agent of agents.values()) agent.destroy();
      agents.clear();
    },
  };
}

function parseJson(text: string): Record<string, unknown> {
  try {
    const parsed: unknown = text === "" ? {} : JSON.parse(text);
    if (typeof parsed === "object" && parsed !== null) return parsed as Record<string, unknown>;
    return {};
  } catch {
    return { message: text.slice(0, 200) };
  }
}

/** A Webex service answered something other than what was asked for. */
export class WebexServiceError extends Error {
  constructor(
    message: string,
    readonly status: number,
  ) {
    super(message);
    this.name = "WebexServiceError";
  }
}

/** The `message` of a Webex error body, for logs. */
export function errorText(answer: JsonAnswer): string {
  const message = answer.json["message"];
  return typeof message === "string" ? message : JSON.stringify(answer.json).slice(0, 200);
}
