import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type Koa from "koa";
import type { WebhookEvent } from "@sparkbot/core";

import { signBody } from "../src/signature.js";

/** Serves a Koa app on 127.0.0.1 at a free port. */
export async function serve(app: Koa): Promise<{ url: string; close(): Promise<void> }> {
  const server: Server = createServer(app.callback());
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

let counter = 0;

/** A `messages/created` envelope as Webex sends it, with a fresh message id. */
export function makeEvent(overrides: Partial<WebhookEvent> = {}): WebhookEvent {
  counter += 1;
  return {
    id: "webhook-1",
    name: "SparkBot messages/created",
    targetUrl: "http://example.test/sparkbot",
    resource: "messages",
    event: "created",
    orgId: "org-1",
    createdBy: "bot-1",
    appId: "app-1",
    ownedBy: "creator",
    status: "active",
    created: "2026-01-01T00:00:00.000Z",
    actorId: "person-1",
    data: {
      id: `message-${process.pid}-${Date.now()}-${counter}`,
      roomId: "room-1",
      roomType: "group",
      personId: "person-1",
      personEmail: "someone@example.com",
      created: "2026-01-01T00:00:00.000Z",
    },
    ...overrides,
  };
}

/** POSTs `body` (an object is JSON-encoded), signed with `secret` unless `signature` is given. */
export function post(
  url: string,
  body: unknown,
  options: { secret?: string; signature?: string | null } = {},
): Promise<Response> {
  const raw = typeof body === "string" || Buffer.isBuffer(body) ? body : JSON.stringify(body);
  const headers: Record<string, string> = { "content-type": "application/json" };
  const signature =
    options.signature === undefined
      ? options.secret !== undefined
        ? signBody(options.secret, raw)
        : undefined
      : options.signature;
  if (signature !== undefined && signature !== null) headers["x-spark-signature"] = signature;
  return fetch(url, { method: "POST", headers, body: raw });
}

export { PrivateRedis } from "@sparkbot/testkit";
