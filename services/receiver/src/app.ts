import Koa from "koa";
import type { IngressKind, Logger, ReceiverConfig } from "@sparkbot/core";
import type { ReceiverMetrics } from "./metrics.js";
import type { Enqueuer } from "./event-queue.js";
import { createWebhookHandler } from "./http/webhook.js";

/** The result of `GET /readyz`: ready when every check passed. */
export interface ReadinessReport {
  ready: boolean;
  checks: Record<string, boolean>;
}

/** Everything the HTTP app uses, injected so that tests run it on a real queue of their own. */
export interface AppDeps {
  config: Pick<ReceiverConfig, "webhookPath" | "bodyLimitBytes" | "verifySignatures">;
  enqueuer: Enqueuer;
  metrics: ReceiverMetrics;
  logger: Logger;
  /** The webhook secret; undefined while not known yet (deliveries get 503). */
  secret: () => string | undefined;
  /** The bot's person id; undefined while unknown (its own events are then not filtered). */
  botId: () => string | undefined;
  /** Readiness checks (Redis reachable, registration done). */
  readiness: () => Promise<ReadinessReport>;
  /** `websocket`: events come over the websocket, and the webhook path answers 404 (default `webhook`). */
  ingress?: IngressKind;
  /** `resource/event` pairs to enqueue; default `HANDLED_EVENTS`. */
  handledEvents?: readonly string[];
}

/**
 * The receiver's Koa app: `POST <webhookPath>`, `GET /healthz`, `GET /readyz`, `GET /metrics`.
 * It does not listen; use `app.callback()` with a server of your own, or `startReceiver`.
 */
export function createApp(deps: AppDeps): Koa {
  const app = new Koa();
  const webhook = createWebhookHandler({
    enqueuer: deps.enqueuer,
    metrics: deps.metrics,
    logger: deps.logger,
    bodyLimitBytes: deps.config.bodyLimitBytes,
    verifySignatures: deps.config.verifySignatures,
    secret: deps.secret,
    botId: deps.botId,
    ...(deps.handledEvents !== undefined ? { handledEvents: deps.handledEvents } : {}),
  });
  const { webhookPath } = deps.config;

  app.silent = true;
  app.on("error", (error: unknown) => {
    deps.logger.error("unexpected error in request", { error: String(error) });
  });

  app.use(async (ctx) => {
    const isRead = ctx.method === "GET" || ctx.method === "HEAD";
    if (ctx.path === webhookPath && deps.ingress === "websocket") {
      ctx.status = 404;
      ctx.body = {
        error: "this receiver listens on Webex's websocket (INGRESS=websocket): no webhook here",
      };
      return undefined;
    }
    if (ctx.path === webhookPath) {
      if (ctx.method === "POST") return webhook(ctx);
      ctx.set("Allow", "POST");
      ctx.status = 405;
      ctx.body = { error: `use POST on ${webhookPath}` };
      return undefined;
    }
    if (isRead && ctx.path === "/healthz") {
      ctx.body = { status: "ok" };
      return undefined;
    }
    if (isRead && ctx.path === "/readyz") {
      const report = await deps.readiness();
      ctx.status = report.ready ? 200 : 503;
      ctx.body = report;
      return undefined;
    }
    if (isRead && ctx.path === "/metrics") {
      ctx.type = deps.metrics.contentType;
      ctx.body = await deps.metrics.render();
      return undefined;
    }
    ctx.status = 404;
    ctx.body = { error: "not found" };
    return undefined;
  });
  return app;
}
