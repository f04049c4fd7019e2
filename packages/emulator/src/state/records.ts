import type { Webhook } from "@sparkbot/core";

/** A webhook as the emulator keeps it: the Webex object plus who owns it and its failures. */
export interface WebhookRecord {
  webhook: Webhook;
  /** Person id of the token that created it; only that person sees it through /v1. */
  ownerId: string;
  /** Times (ms) of recent failed deliveries, for deactivation after 100 within 5 minutes. */
  failures: number[];
}

/** One webhook delivery attempt, as listed by `GET /_emulator/deliveries`. */
export interface DeliveryRecord {
  /** Unique id of this attempt. */
  id: string;
  webhookId: string;
  /** Id shared by every delivery of one event (one message may reach several webhooks). */
  eventId: string;
  resource: string;
  event: string;
  /** The id of the object the event is about (`data.id`). */
  dataId: string;
  target: string;
  /** HTTP status the target answered, or null when it could not be reached. */
  status: number | null;
  ok: boolean;
  latencyMs: number;
  error?: string;
  /** ISO time the attempt started. */
  at: string;
  /** The envelope that was sent. */
  body: unknown;
  /** The `X-Spark-Signature` header sent, if the webhook has a secret. */
  signature?: string;
}

/** A team, the container of team memberships. */
export interface Team {
  id: string;
  name: string;
  creatorId: string;
  created: string;
  [extra: string]: unknown;
}
