import { randomUUID } from "node:crypto";
import type { Agent } from "node:http";

import { WebexTimeoutError } from "../errors/errors.js";
import type { ListOptions, WebexClient, WebexClientOptions } from "./client.js";
import { toSdkQuery } from "./sdk-client.js";
import { normaliseClientOptions } from "./sdk-config.js";
import { toWebexError } from "./sdk-errors.js";
import { createWebexAgent, sendHttp, type HttpAnswer } from "./http-transport.js";
import type { Person } from "./types.js";

export { bypassesProxy } from "./http-transport.js";

/**
 * A `WebexClient` on plain keep-alive HTTP (`node:http`/`node:https` with a pooled keep-alive
 * agent, tunnelled through the proxy when one is configured): the services' default
 * (`WEBEX_CLIENT=http`).
 */

type Method = "GET" | "POST" | "PUT" | "DELETE";

/** One HTTP exchange: the parsed JSON body (undefined when empty) and the `Link` next URL. */
interface Answer {
  body: unknown;
  next: string | undefined;
}

/** What every call shares: the base URL, the token, the connection pool and the timeout. */
interface Transport {
  send(what: string, method: Method, url: string, body?: unknown): Promise<Answer>;
  url(resource: string, query?: Record<string, unknown>): string;
}

/** The `rel="next"` URL of a `Link` header, if any. */
export function nextLink(header: string | string[] | undefined): string | undefined {
  const value = Array.isArray(header) ? header.join(",") : header;
  if (value === undefined) return undefined;
  for (const part of value.split(",")) {
    const match = /<([^>]+)>\s*;\s*rel="?next"?/i.exec(part);
    if (match?.[1] !== undefined) return match[1];
  }
  return undefined;
}

function parseBody(text: string): unknown {
  if (text === "") return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

/** The error `toWebexError` maps: an HTTP status (0: no response), the body and headers. */
function httpFailure(
  message: string,
  statusCode: number,
  body: unknown,
  headers: Record<string, string | string[] | undefined> = {},
): Error {
  return Object.assign(new Error(message), { statusCode, body, headers });
}

function createTransport(
  apiUrl: string,
  accessToken: string,
  timeoutMs: number,
  agent: Agent,
): Transport {
  const trackingPrefix = `sparkbot_${randomUUID()}`;
  let sequence = 0;

  const exchange = async (method: Method, url: string, body: unknown): Promise<Answer> => {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const headers: Record<string, string> = {
      authorization: `Bearer ${accessToken}`,
      accept: "application/json",
      trackingid: `${trackingPrefix}_${(sequence += 1)}`,
    };
    if (payload !== undefined) headers["content-type"] = "application/json";
    let answer: HttpAnswer;
    try {
      answer = await sendHttp(agent, {
        method,
        url: new URL(url),
        headers,
        body: payload,
        timeoutMs,
        timeoutError: () => new WebexTimeoutError("timeout"),
      });
    } catch (error) {
      // No complete answer: the timeout, or a network failure (refused, reset, TLS, proxy).
      if (error instanceof WebexTimeoutError) throw error;
      throw httpFailure(error instanceof Error ? error.message : String(error), 0, error);
    }
    const { status, headers: answerHeaders } = answer;
    const parsed = parseBody(answer.text);
    if (status >= 200 && status < 300)
      return { body: parsed, next: nextLink(answerHeaders["link"]) };
    throw httpFailure(`${method} ${url} → ${status}`, status, parsed, answerHeaders);
  };

  return {
    url(resource, query) {
      const qs = query === undefined ? "" : new URLSearchParams(toQueryStrings(query)).toString();
      return `${apiUrl}/${resource}${qs === "" ? "" : `?${qs}`}`;
    },
    send(what, method, url, body) {
      return exchange(method, url, body).catch((error: unknown) => {
        if (error instanceof WebexTimeoutError) {
          throw new WebexTimeoutError(`${what}: no answer from Webex within ${timeoutMs} ms`);
        }
        throw toWebexError(error, what);
      });
    },
  };
}

/** Query values as strings: arrays joined with commas (`id=a,b`), empty values dropped. */
function toQueryStrings(query: Record<string, unknown>): Record<string, string> {
  const result: Record<string, string> = {};
  for (const [key, value] of Object.entries(toSdkQuery(query))) result[key] = String(value);
  return result;
}

/** Follows `Link: rel="next"` while pages remain and fewer than `options.limit` were gathered. */
async function collect<T>(
  transport: Transport,
  what: string,
  firstUrl: string,
  options: ListOptions = {},
): Promise<T[]> {
  const limit = options.limit ?? Number.POSITIVE_INFINITY;
  const items: T[] = [];
  let url: string | undefined = firstUrl;
  while (url !== undefined && items.length < limit) {
    const page: Answer = await transport.send(what, "GET", url);
    const pageItems = (page.body as { items?: T[] } | undefined)?.items ?? [];
    items.push(...pageItems);
    url = page.next;
  }
  return items.slice(0, limit);
}

/**
 * Creates a `WebexClient` on plain keep-alive HTTP, with the same contract as
 * `createWebexClient` (same options, same errors, `Link` pagination, nothing retried) but
 * without the SDK: one `node:http(s)` request per call over a pooled keep-alive connection, through
 * `options.proxy` when set. It costs a fraction of the SDK's CPU and memory per call (see
 * bench/RESULTS.md), hence the services' default (`WEBEX_CLIENT=http`). Each request carries a
 * `trackingid` header.
 *
 * Throws `TypeError` for an empty token, a malformed `apiUrl` or a non-positive timeout.
 */
export function createHttpWebexClient(options: WebexClientOptions): WebexClient {
  const { accessToken, apiUrl, timeoutMs } = normaliseClientOptions(options);
  const t = createTransport(
    apiUrl,
    accessToken,
    timeoutMs,
    createWebexAgent(apiUrl, options.proxy),
  );
  const id = encodeURIComponent;
  const get = async <T>(what: string, resource: string): Promise<T> =>
    (await t.send(what, "GET", t.url(resource))).body as T;
  const write = async <T>(what: string, method: Method, resource: string, body?: unknown) =>
    (await t.send(what, method, t.url(resource), body)).body as T;

  return {
    people: {
      me: () => get<Person>("people.me", "people/me"),
      get: (personId) => get("people.get", `people/${id(personId)}`),
      list: async (query, listOptions) => {
        if (query.id !== undefined && query.id.length === 0) return [];
        return collect(t, "people.list", t.url("people", query), listOptions);
      },
    },
    messages: {
      create: (message) => write("messages.create", "POST", "messages", message),
      get: (messageId) => get("messages.get", `messages/${id(messageId)}`),
      list: (query, listOptions) =>
        collect(t, "messages.list", t.url("messages", query), listOptions),
      remove: async (messageId) => {
        await write("messages.remove", "DELETE", `messages/${id(messageId)}`);
      },
    },
    rooms: {
      get: (roomId) => get("rooms.get", `rooms/${id(roomId)}`),
      list: (query, listOptions) => collect(t, "rooms.list", t.url("rooms", query), listOptions),
    },
    memberships: {
      list: (query, listOptions) =>
        collect(t, "memberships.list", t.url("memberships", query), listOptions),
    },
    teamMemberships: {
      list: (query, listOptions) =>
        collect(t, "teamMemberships.list", t.url("team/memberships", query), listOptions),
    },
    webhooks: {
      list: (listOptions) => collect(t, "webhooks.list", t.url("webhooks"), listOptions),
      get: (webhookId) => get("webhooks.get", `webhooks/${id(webhookId)}`),
      create: (webhook) => write("webhooks.create", "POST", "webhooks", webhook),
      update: (webhookId, update) =>
        write("webhooks.update", "PUT", `webhooks/${id(webhookId)}`, update),
      remove: async (webhookId) => {
        await write("webhooks.remove", "DELETE", `webhooks/${id(webhookId)}`);
      },
    },
    attachmentActions: {
      get: (actionId) => get("attachmentActions.get", `attachment/actions/${id(actionId)}`),
    },
  };
}
