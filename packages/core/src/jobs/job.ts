import { z } from "zod";
import { JobPayloadError } from "../errors/errors.js";
import { describeZodError, webhookEventSchema, type WebhookEvent } from "../webex/webhook-event.js";

/** The BullMQ queue both services use. */
export const QUEUE_NAME = "sparkbot-events";

/**
 * Default Redis key prefix. The braces make it a Redis Cluster hash tag, so every key of the
 * queue lands in one slot, as BullMQ requires on a cluster.
 */
export const DEFAULT_KEY_PREFIX = "{sparkbot}";

/** Current version of the job payload; bumped on incompatible changes. */
export const JOB_VERSION = 1;

export const eventJobSchema = z.object({
  v: z.literal(JOB_VERSION),
  /** The webhook event, as validated by the receiver. */
  event: webhookEventSchema,
  /** When the receiver accepted the delivery (ms since the epoch). */
  receivedAt: z.number().int().nonnegative(),
});

export type EventJob = z.infer<typeof eventJobSchema>;

/** Builds the payload the receiver enqueues. */
export function createEventJob(event: WebhookEvent, receivedAt: number = Date.now()): EventJob {
  return { v: JOB_VERSION, event, receivedAt };
}

/** Validates a job payload taken from the queue; throws `JobPayloadError` naming the bad fields. */
export function parseEventJob(data: unknown): EventJob {
  const result = eventJobSchema.safeParse(data);
  if (!result.success) {
    throw new JobPayloadError(`Malformed job payload: ${describeZodError(result.error)}`);
  }
  return result.data;
}

/**
 * The BullMQ job id of an event: one id per Webex resource and event kind, so that a delivery
 * that arrives twice (Webex retries, or two webhooks for one bot) is enqueued once. BullMQ
 * refuses `:` in custom ids, hence the dashes.
 */
export function jobIdFor(event: Pick<WebhookEvent, "resource" | "event" | "data">): string {
  return `${event.resource}-${event.event}-${event.data.id}`.replaceAll(":", "_");
}

/** The name given to each job: `resource/event`, e.g. `messages/created`. */
export function jobNameFor(event: Pick<WebhookEvent, "resource" | "event">): string {
  return `${event.resource}/${event.event}`;
}
