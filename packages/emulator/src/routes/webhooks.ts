import type { Person, Webhook } from "@sparkbot/core";
import { authenticate } from "../http/auth.js";
import { HttpError } from "../http/context.js";
import { paginate } from "../http/paginate.js";
import type { Router } from "../http/router.js";
import { webexId } from "../ids.js";
import type { EmulatorServices } from "../services.js";
import type { WebhookRecord } from "../state/records.js";
import type { EmulatorStore } from "../state/store.js";

const RESOURCES = ["messages", "memberships", "rooms", "attachmentActions", "meetings", "all"];
const EVENTS = ["created", "updated", "deleted", "started", "ended", "joined", "left", "all"];

/** `/v1/webhooks`: list, create (200), get, update (PUT), delete (204); each token sees its own. */
export function webhookRoutes(router: Router, { store }: EmulatorServices): void {
  router.on("GET", "/v1/webhooks", (ctx) => {
    const caller = authenticate(ctx, store);
    const items = [...store.webhooks.values()]
      .filter((record) => record.ownerId === caller.id)
      .map((record) => record.webhook);
    const page = paginate(ctx, items);
    ctx.json(200, { items: page.items }, page.headers);
  });

  router.on("POST", "/v1/webhooks", async (ctx) => {
    const caller = authenticate(ctx, store);
    const body = await ctx.body();
    const webhook = newWebhook(store, caller, body);
    store.webhooks.set(webhook.id, { webhook, ownerId: caller.id, failures: [] });
    ctx.json(200, webhook);
  });

  router.on("GET", "/v1/webhooks/:id", (ctx) => {
    const caller = authenticate(ctx, store);
    ctx.json(200, ownWebhook(store, caller, ctx.param("id")).webhook);
  });

  router.on("PUT", "/v1/webhooks/:id", async (ctx) => {
    const caller = authenticate(ctx, store);
    const record = ownWebhook(store, caller, ctx.param("id"));
    const body = await ctx.body();
    const { name, targetUrl, secret, status } = body;
    if (typeof name !== "string" || name === "") throw new HttpError(400, "name is required.");
    if (typeof targetUrl !== "string" || !isUrl(targetUrl)) {
      throw new HttpError(400, "targetUrl must be a valid URL.");
    }
    if (status !== undefined && status !== "active" && status !== "inactive") {
      throw new HttpError(400, "status must be active or inactive.");
    }
    record.webhook.name = name;
    record.webhook.targetUrl = targetUrl;
    if (typeof secret === "string") record.webhook.secret = secret;
    if (status !== undefined) {
      record.webhook.status = status;
      record.failures = [];
    }
    ctx.json(200, record.webhook);
  });

  router.on("DELETE", "/v1/webhooks/:id", (ctx) => {
    const caller = authenticate(ctx, store);
    store.webhooks.delete(ownWebhook(store, caller, ctx.param("id")).webhook.id);
    ctx.empty(204);
  });
}

function newWebhook(store: EmulatorStore, owner: Person, body: Record<string, unknown>): Webhook {
  const { name, targetUrl, resource, event, filter, secret } = body;
  if (typeof name !== "string" || name === "") throw new HttpError(400, "name is required.");
  if (typeof targetUrl !== "string" || !isUrl(targetUrl)) {
    throw new HttpError(400, "targetUrl must be a valid URL.");
  }
  if (typeof resource !== "string" || !RESOURCES.includes(resource)) {
    throw new HttpError(400, `resource must be one of ${RESOURCES.join(", ")}.`);
  }
  if (typeof event !== "string" || !EVENTS.includes(event)) {
    throw new HttpError(400, `event must be one of ${EVENTS.join(", ")}.`);
  }
  const webhook: Webhook = {
    id: webexId("WEBHOOK"),
    name,
    targetUrl,
    resource,
    event,
  };
  if (typeof filter === "string" && filter !== "") webhook.filter = filter;
  if (typeof secret === "string" && secret !== "") webhook.secret = secret;
  Object.assign(webhook, {
    orgId: owner.orgId,
    createdBy: owner.id,
    appId: store.appId,
    ownedBy: "creator",
    status: "active",
    created: store.isoNow(),
  });
  return webhook;
}

function ownWebhook(store: EmulatorStore, caller: Person, id: string): WebhookRecord {
  const record = store.webhooks.get(id);
  if (!record || record.ownerId !== caller.id) throw new HttpError(404, "Webhook not found.");
  return record;
}

function isUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return url.protocol === "http:" || url.protocol === "https:";
  } catch {
    return false;
  }
}
