import { createHmac, randomUUID } from "node:crypto";
import type { EventEmitter } from "node:events";
import type { Webhook } from "@sparkbot/core";
import { RequestAbortedError, sendRequest, type PendingRequest } from "../http/send.js";
import type { DeliveryRecord, WebhookRecord } from "../state/records.js";
import type { EmulatorStore } from "../state/store.js";
import { webhooksFor, type EmulatorEvent } from "./matching.js";

/** Failures within this window count towards deactivation. */
export const FAILURE_WINDOW_MS = 5 * 60_000;
/** A webhook that fails this many times within the window is set `inactive`, as Webex does. */
export const FAILURE_LIMIT = 100;

/** Settings of webhook delivery. */
export interface DeliveryOptions {
  now: () => number;
  /** Milliseconds before a target that does not answer counts as failed. */
  timeoutMs: number;
  /** The delivery log keeps this many most recent attempts. */
  maxLogEntries: number;
}

/** Sends signed webhook envelopes to their targets, records every attempt, deactivates failures. */
export class WebhookDelivery {
  private readonly inFlight = new Set<Promise<void>>();
  private readonly requests = new Set<PendingRequest>();

  constructor(
    private readonly store: EmulatorStore,
    private readonly events: EventEmitter,
    private readonly options: DeliveryOptions,
  ) {}

  /** Delivers an event to every matching webhook, in the background. Returns how many. */
  dispatch(event: EmulatorEvent): number {
    const targets = webhooksFor(event, this.store.webhooks.values(), this.store.people);
    const eventId = randomUUID();
    for (const record of targets) {
      const attempt = this.deliver(record, buildEnvelope(record.webhook, event), eventId);
      this.inFlight.add(attempt);
      void attempt.finally(() => this.inFlight.delete(attempt));
    }
    return targets.length;
  }

  /** Resolves once every delivery started so far has settled. */
  async idle(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
  }

  /** Aborts deliveries in flight (on close). */
  abortAll(): void {
    for (const request of this.requests) request.abort();
  }

  private async deliver(record: WebhookRecord, envelope: Envelope, eventId: string): Promise<void> {
    const { webhook } = record;
    const body = JSON.stringify(envelope);
    const headers: Record<string, string> = {
      "content-type": "application/json",
      "user-agent": "sparkbot-emulator",
    };
    const signature = webhook.secret ? sign(body, webhook.secret) : undefined;
    if (signature) headers["x-spark-signature"] = signature;
    const started = performance.now();
    const delivery: DeliveryRecord = {
      id: randomUUID(),
      webhookId: webhook.id,
      eventId,
      resource: envelope.resource,
      event: envelope.event,
      dataId: String(envelope.data["id"]),
      target: webhook.targetUrl,
      status: null,
      ok: false,
      latencyMs: 0,
      at: this.store.isoNow(),
      body: envelope,
      ...(signature ? { signature } : {}),
    };
    const request = sendRequest(webhook.targetUrl, {
      method: "POST",
      headers,
      body,
      timeoutMs: this.options.timeoutMs,
    });
    this.requests.add(request);
    try {
      const response = await request.answer;
      delivery.status = response.status;
      delivery.ok = response.status >= 200 && response.status < 300;
    } catch (error) {
      delivery.error = error instanceof RequestAbortedError ? error.message : describe(error);
    } finally {
      this.requests.delete(request);
    }
    delivery.latencyMs = Math.round((performance.now() - started) * 10) / 10;
    if (!delivery.ok) this.countFailure(record);
    this.store.deliveries.push(delivery);
    const excess = this.store.deliveries.length - this.options.maxLogEntries;
    if (excess > 0) this.store.deliveries.splice(0, excess);
    this.events.emit("delivery", delivery);
  }

  /** Remembers a failure; the 100th within five minutes sets the webhook inactive. */
  private countFailure(record: WebhookRecord): void {
    const now = this.options.now();
    record.failures = record.failures.filter((at) => now - at < FAILURE_WINDOW_MS);
    record.failures.push(now);
    if (record.failures.length >= FAILURE_LIMIT) {
      record.webhook.status = "inactive";
      record.failures = [];
    }
  }
}

/** The body Webex POSTs to a webhook's target. */
export interface Envelope {
  id: string;
  name: string;
  targetUrl: string;
  resource: string;
  event: string;
  filter?: string;
  orgId?: string;
  createdBy?: string;
  appId?: string;
  ownedBy?: string;
  status?: string;
  created?: string;
  actorId: string;
  data: Record<string, unknown>;
}

function buildEnvelope(webhook: Webhook, event: EmulatorEvent): Envelope {
  // Key order as Webex sends it; undefined keys vanish from the JSON.
  return {
    id: webhook.id,
    name: webhook.name,
    targetUrl: webhook.targetUrl,
    resource: event.resource,
    event: event.event,
    filter: webhook.filter,
    orgId: webhook.orgId,
    createdBy: webhook.createdBy,
    appId: webhook.appId,
    ownedBy: webhook.ownedBy,
    status: webhook.status,
    created: webhook.created,
    actorId: event.actorId,
    data: event.data,
  };
}

/** `X-Spark-Signature`: HMAC-SHA1, hex, of the exact bytes sent, keyed by the webhook secret. */
export function sign(body: string, secret: string): string {
  return createHmac("sha1", secret).update(body, "utf8").digest("hex");
}

function describe(error: unknown): string {
  if (error instanceof Error) {
    const cause = error.cause instanceof Error ? `: ${error.cause.message}` : "";
    return `${error.message}${cause}`;
  }
  return String(error);
}
