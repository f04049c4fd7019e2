import type { ListOptions, WebexClient, WebexClientOptions } from "./client.js";
import { callWithTimeout } from "./sdk-errors.js";
import { normaliseClientOptions, sdkConfigFor } from "./sdk-config.js";
import { loadWebexSdk } from "./sdk-loader.js";
import type { SdkPage, SdkQuery, SdkWebex } from "./sdk-loader.js";
import type { Person } from "./types.js";

/** Runs one SDK call under the client's timeout and error mapping. */
type Call = <T>(what: string, run: () => Promise<T>) => Promise<T>;

/** Drops undefined values and joins arrays with commas, as hydra expects (`id=a,b`). */
export function toSdkQuery(query: Record<string, unknown>): SdkQuery {
  const result: SdkQuery = {};
  for (const [key, value] of Object.entries(query)) {
    if (value === undefined || value === null) continue;
    if (Array.isArray(value)) result[key] = value.map(String).join(",");
    else if (typeof value === "number" || typeof value === "boolean") result[key] = value;
    else result[key] = String(value);
  }
  return result;
}

/**
 * Gathers the items of a list call, following the SDK's `Page.next()` while pages remain and
 * fewer than `options.limit` items (every item when absent) were gathered. Each page is one
 * HTTP request with its own timeout.
 */
export async function collectPages<T>(
  what: string,
  call: Call,
  first: () => Promise<SdkPage<T>>,
  options: ListOptions = {},
): Promise<T[]> {
  const limit = options.limit ?? Number.POSITIVE_INFINITY;
  const items: T[] = [];
  let page = await call(what, first);
  items.push(...page.items);
  while (items.length < limit && page.hasNext()) {
    const current = page;
    page = await call(`${what} (next page)`, () => current.next());
    items.push(...page.items);
  }
  return items.slice(0, limit);
}

function peopleApi(webex: SdkWebex, call: Call): WebexClient["people"] {
  return {
    me: () => call("people.me", () => webex.people.get("me")),
    // Not `webex.people.get(id)`: its batcher never settles the call on an HTTP error.
    get: (personId) =>
      call("people.get", async () => {
        const resource = `people/${encodeURIComponent(personId)}`;
        const response = await webex.request({ method: "GET", service: "hydra", resource });
        return response.body as Person;
      }),
    list: async (query, options) => {
      if (query.id !== undefined && query.id.length === 0) return [];
      const qs = toSdkQuery(query);
      return collectPages("people.list", call, () => webex.people.list(qs), options);
    },
  };
}

function messagesApi(webex: SdkWebex, call: Call): WebexClient["messages"] {
  return {
    // A copy: the SDK rewrites the object it is given.
    create: (message) => call("messages.create", () => webex.messages.create({ ...message })),
    get: (messageId) => call("messages.get", () => webex.messages.get(messageId)),
    list: (query, options) => {
      const qs = toSdkQuery(query);
      return collectPages("messages.list", call, () => webex.messages.list(qs), options);
    },
    remove: async (messageId) => {
      await call("messages.remove", () => webex.messages.remove(messageId));
    },
  };
}

function webhooksApi(webex: SdkWebex, call: Call): WebexClient["webhooks"] {
  return {
    list: (options) => collectPages("webhooks.list", call, () => webex.webhooks.list(), options),
    get: (webhookId) => call("webhooks.get", () => webex.webhooks.get(webhookId)),
    create: (webhook) => call("webhooks.create", () => webex.webhooks.create({ ...webhook })),
    update: (webhookId, update) =>
      call("webhooks.update", () => webex.webhooks.update({ ...update, id: webhookId })),
    remove: async (webhookId) => {
      await call("webhooks.remove", () => webex.webhooks.remove(webhookId));
    },
  };
}

/**
 * Creates the Webex client SparkBot uses, on `@webex/webex-core` with its people, messages,
 * rooms, memberships, team-memberships, webhooks and attachment-actions plugins.
 *
 * - Each client has its own SDK instance pointed at its own `apiUrl` (default
 *   `https://webexapis.com/v1`); the SDK also fetches its u2c catalog once after start (from the
 *   same server when `apiUrl` is not Webex's).
 * - The SDK's logger is silent unless `WEBEX_LOG_LEVEL` names a level.
 * - Every HTTP request settles within `timeoutMs` (default 15 000): `WebexTimeoutError`.
 *   Failures become `WebexApiError` (status, `retryAfter`, `trackingId`) or `WebexNetworkError`.
 *   Nothing is retried here; retry policy belongs to the caller.
 * - `list` calls follow `Link: rel="next"` with the SDK's `Page.next()`, up to `options.limit`.
 *
 * Throws `TypeError` for an empty token, a malformed `apiUrl` or a non-positive timeout.
 */
export function createWebexClient(options: WebexClientOptions): WebexClient {
  const { accessToken, apiUrl, timeoutMs } = normaliseClientOptions(options);
  const WebexCore = loadWebexSdk();
  const webex = new WebexCore({
    credentials: { access_token: accessToken },
    config: sdkConfigFor(apiUrl, timeoutMs),
  });
  const call: Call = (what, run) => callWithTimeout(what, timeoutMs, run);

  return {
    people: peopleApi(webex, call),
    messages: messagesApi(webex, call),
    rooms: {
      get: (roomId) => call("rooms.get", () => webex.rooms.get(roomId)),
      list: (query, options) =>
        collectPages("rooms.list", call, () => webex.rooms.list(toSdkQuery(query)), options),
    },
    memberships: {
      list: (query, listOptions) => {
        const qs = toSdkQuery(query);
        return collectPages(
          "memberships.list",
          call,
          () => webex.memberships.list(qs),
          listOptions,
        );
      },
    },
    teamMemberships: {
      list: (query, listOptions) => {
        const qs = toSdkQuery(query);
        const first = () => webex.teamMemberships.list(qs);
        return collectPages("teamMemberships.list", call, first, listOptions);
      },
    },
    webhooks: webhooksApi(webex, call),
    attachmentActions: {
      get: (actionId) => call("attachmentActions.get", () => webex.attachmentActions.get(actionId)),
    },
  };
}
