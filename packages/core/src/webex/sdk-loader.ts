import { createRequire } from "node:module";

import type {
  AttachmentAction,
  Membership,
  Message,
  NewMessage,
  NewWebhook,
  Person,
  Room,
  TeamMembership,
  Webhook,
  WebhookUpdate,
} from "./types.js";

/**
 * The typed surface of the `webex` SDK that SparkBot uses. The SDK ships no type declarations;
 * these describe what `@webex/webex-core` 3.x and its plugins do (read from their sources).
 */

/** Query-string values as the SDK passes them to the `qs` library. */
export type SdkQuery = Record<string, string | number | boolean>;

/** One page of a hydra list; `next()` follows the response's `Link: rel="next"` header. */
export interface SdkPage<T> {
  readonly items: T[];
  hasNext(): boolean;
  next(): Promise<SdkPage<T>>;
}

/** Options for `webex.request`: a hydra `service` + `resource`, or an absolute `uri`. */
export interface SdkRequestOptions {
  method?: "GET" | "POST" | "PUT" | "DELETE";
  service?: string;
  resource?: string;
  uri?: string;
  qs?: SdkQuery;
  body?: unknown;
}

export interface SdkResponse {
  statusCode: number;
  body: unknown;
  headers: Record<string, string | string[] | undefined>;
}

/** A `WebexCore` instance with the plugins SparkBot loads. */
export interface SdkWebex {
  request(options: SdkRequestOptions): Promise<SdkResponse>;
  people: {
    get(id: "me"): Promise<Person>;
    list(query: SdkQuery): Promise<SdkPage<Person>>;
  };
  messages: {
    create(message: NewMessage): Promise<Message>;
    get(id: string): Promise<Message>;
    list(query: SdkQuery): Promise<SdkPage<Message>>;
    remove(id: string): Promise<unknown>;
  };
  rooms: { get(id: string): Promise<Room>; list(query: SdkQuery): Promise<SdkPage<Room>> };
  memberships: { list(query: SdkQuery): Promise<SdkPage<Membership>> };
  teamMemberships: { list(query: SdkQuery): Promise<SdkPage<TeamMembership>> };
  webhooks: {
    list(query?: SdkQuery): Promise<SdkPage<Webhook>>;
    get(id: string): Promise<Webhook>;
    create(webhook: NewWebhook): Promise<Webhook>;
    update(webhook: WebhookUpdate & { id: string }): Promise<Webhook>;
    remove(id: string): Promise<unknown>;
  };
  attachmentActions: { get(id: string): Promise<AttachmentAction> };
}

/** The per-instance configuration SparkBot gives the SDK (merged over the SDK's defaults). */
export interface SdkConfig {
  logger: { level: string; bufferLogLevel: string; historyLength: number };
  services: {
    discovery: { hydra: string; u2c?: string };
    override: { hydra: string };
  };
  defaultRequestOptions: { timeout: number };
}

export type SdkConstructor = new (attrs: {
  credentials: { access_token: string };
  config: SdkConfig;
}) => SdkWebex;

/** The plugins a bot needs; each registers itself on `WebexCore` when required. */
const PLUGINS = [
  "@webex/plugin-logger",
  "@webex/plugin-authorization-node",
  "@webex/plugin-people",
  "@webex/plugin-rooms",
  "@webex/plugin-messages",
  "@webex/plugin-memberships",
  "@webex/plugin-team-memberships",
  "@webex/plugin-webhooks",
  "@webex/plugin-attachment-actions",
] as const;

let sdkConstructor: SdkConstructor | undefined;

/**
 * Loads `@webex/webex-core` and the plugins on first use (about 0.8 s of CPU), so that importing
 * `@sparkbot/core` for the tokenizer or the test harness costs nothing. The SDK is CommonJS
 * compiled by Babel; `require` gives the same `module.exports` under Node and under Vitest.
 */
export function loadWebexSdk(): SdkConstructor {
  if (sdkConstructor) return sdkConstructor;
  const require = createRequire(import.meta.url);
  const core = require("@webex/webex-core") as { default: SdkConstructor };
  for (const plugin of PLUGINS) require(plugin);
  sdkConstructor = core.default;
  return sdkConstructor;
}
