import type { Context } from "koa";
import {
  HANDLED_EVENT_KINDS,
  parseWebhookEvent,
  type Logger,
  type WebhookEvent,
} from "@sparkbot/core";
import type { Outcome, ReceiverMetrics } from "../metrics.js";
import { QueueUnavailableError, type Enqueuer } from "../event-queue.js";
import { jobIdOf } from "../job-id.js";
import { SIGNATURE_HEADER, verifySignature } from "../signature.js";
import { BodyTooLargeError, readRawBody } from "./body.js";
import { MAX_JSON_DEPTH, jsonDepth } from "./json-depth.js";

/**
 * The `resource/event` pairs the worker handles (messages, card actions, memberships created
 * and deleted); other events are answered 200 and dropped.
 */
export const HANDLED_EVENTS = HANDLED_EVENT_KINDS;

/** What the webhook route needs; every part is injected. */
export interface WebhookDeps {
  enqueuer: Enqueuer;
  metrics: ReceiverMetrics;
  logger: Logger;
  bodyLimitBytes: number;
  verifySignatures: boolean;
  /** The webhook secret; undefined while it is not known yet (answered 503). */
  secret: () => string | undefined;
  /** The bot's person id, to drop the events it caused itself; undefined while unknown. */
  botId: () => string | undefined;
  handledEvents?: readonly string[];
}

/** How one delivery ended: HTTP status, outcome label, and what the log line says. */
interface Result {
  status: number;
  outcome: Outcome;
  reason?: string;
  event?: WebhookEvent;
}

/** Handles `POST <webhookPath>`: read, verify, validate, filter, enqueue. Never throws. */
export function createWebhookHandler(deps: WebhookDeps): (ctx: Context) => Promise<void> {
  const handled = new Set<string>(deps.handledEvents ?? HANDLED_EVENTS);
  return async (ctx) => {
    const started = process.hrtime.bigint();
    const result = await handle(ctx, deps, handled);
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    deps.metrics.observe(result.outcome, seconds);
    respond(ctx, result);
    log(deps, result, seconds);
  };
}

async function handle(ctx: Context, deps: WebhookDeps, handled: Set<string>): Promise<Result> {
  let body: Buffer;
  try {
    body = await readRawBody(ctx.req, deps.bodyLimitBytes);
  } catch (error) {
    if (error instanceof BodyTooLargeError) {
      return { status: 413, outcome: "too_large", reason: error.message };
    }
    return { status: 400, outcome: "malformed", reason: messageOf(error) };
  }

  if (deps.verifySignatures) {
    const secret = deps.secret();
    if (secret === undefined) {
      return { status: 503, outcome: "unavailable", reason: "webhook secret not loaded yet" };
    }
    const signature = ctx.get(SIGNATURE_HEADER) || undefined;
    if (!verifySignature({ secret, body, signature })) {
      const reason = signature === undefined ? "missing signature" : "wrong signature";
      return { status: 401, outcome: "bad_signature", reason };
    }
  }

  if (jsonDepth(body) > MAX_JSON_DEPTH) {
    const reason = `JSON nested deeper than ${MAX_JSON_DEPTH} levels`;
    return { status: 400, outcome: "malformed", reason };
  }
  let event: WebhookEvent;
  try {
    event = parseWebhookEvent(JSON.parse(body.toString("utf8")) as unknown);
  } catch (error) {
    const reason =
      error instanceof SyntaxError ? `invalid JSON: ${error.message}` : messageOf(error);
    return { status: 400, outcome: "malformed", reason };
  }

  const kind = `${event.resource}/${event.event}`;
  if (!handled.has(kind)) {
    return { status: 200, outcome: "ignored", reason: `unhandled event ${kind}`, event };
  }
  const botId = deps.botId();
  if (botId !== undefined && causedBy(event, botId)) {
    return { status: 200, outcome: "ignored", reason: "event caused by the bot", event };
  }

  try {
    const outcome = await deps.enqueuer.enqueue(event);
    return { status: 202, outcome, event };
  } catch (error) {
    const reason = error instanceof QueueUnavailableError ? error.message : messageOf(error);
    return { status: 503, outcome: "unavailable", reason, event };
  }
}

/** The bot's own acts: anything it did (`actorId`), and the messages it sent. */
function causedBy(event: WebhookEvent, botId: string): boolean {
  if (event.actorId === botId) return true;
  return event.resource === "messages" && event.data.personId === botId;
}

function respond(ctx: Context, result: Result): void {
  const { status } = result;
  ctx.status = status;
  if (status === 503) ctx.set("Retry-After", "1");
  if (status === 413) ctx.set("Connection", "close");
  const body: { outcome: Outcome; jobId?: string; error?: string } = { outcome: result.outcome };
  // jobIdOf is computed once per event (the enqueue needed it already).
  if (status === 202 && result.event !== undefined) body.jobId = jobIdOf(result.event);
  if (status >= 400 && result.reason !== undefined) body.error = result.reason;
  ctx.body = body;
}

function log(deps: WebhookDeps, result: Result, seconds: number): void {
  const fields: Record<string, unknown> = {
    outcome: result.outcome,
    status: result.status,
    durationMs: Math.round(seconds * 1e6) / 1e3,
  };
  if (result.reason !== undefined) fields["reason"] = result.reason;
  const { event } = result;
  if (event !== undefined) {
    fields["jobId"] = jobIdOf(event);
    fields["resource"] = event.resource;
    fields["event"] = event.event;
    fields["webhookId"] = event.id;
  }
  if (!deps.verifySignatures) fields["signatureCheck"] = "DISABLED";
  if (result.status === 503) deps.logger.error("webhook delivery", fields);
  else if (result.status >= 400) deps.logger.warn("webhook delivery", fields);
  else deps.logger.info("webhook delivery", fields);
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
