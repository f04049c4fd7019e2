import { z } from "zod";
import { JobPayloadError } from "../errors/errors.js";
import { objectUuidOf } from "../webex/ids.js";
import { describeZodError, webhookEventSchema, type WebhookEvent } from "../webex/webhook-event.js";

/** The BullMQ queue both services use. */
export const QUEUE_NAME = "sparkbot-events";

/**
 * Default Redis key prefix. The braces make it a Redis Cluster hash tag, so every key of the
 * queue lands in one slot, as BullMQ requires on a cluster.
 */
export const DEFAULT_KEY_PREFIX = "{sparkbot}";

/**
 * Entries kept in BullMQ's event stream (`streams.events.maxLen` of every `Queue` SparkBot
 * opens). Nothing reads that stream (no `QueueEvents`), so it is trimmed near 100 entries
 * instead of BullMQ's 10,000: less memory, less trimming work in every script that writes it.
 */
export const QUEUE_EVENTS_MAX_LEN = 100;

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
 * The BullMQ job id of an event: `<resource>-<event>-<object>`, one per Webex object and event
 * kind, so that one event enqueued twice (a repeated delivery, two receivers, the backfill or
 * the websocket listener finding what a webhook brought) is one job.
 *
 * `<object>` is `u.<uuid>` for a Webex id, whatever its form (base64 with any cluster, url-safe
 * or not, padded or not, or the bare uuid): every form of one object's id gives the same job id.
 * Any other id gives `x.<id>` escaped injectively (each byte outside `[A-Za-z0-9.-]` becomes
 * `_` and two hex digits; BullMQ refuses `:` in custom ids; resource and event escape `-` and
 * `.` too), so two different events never share a job id.
 *
 * A membership's id is the same each time one person joins one room (`<person>:<room>`), so a
 * person (or the bot) added, removed and added again would be one job: for `memberships` the
 * membership's `created` time, when the event has it, is part of the object (`….t<created>`).
 */
export function jobIdFor(event: Pick<WebhookEvent, "resource" | "event" | "data">): string {
  const uuid = objectUuidOf(event.data.id);
  let object = uuid !== undefined ? `u.${escapeId(uuid)}` : `x.${escapeId(event.data.id)}`;
  const created = event.data.created;
  if (event.resource === "memberships" && typeof created === "string" && created !== "") {
    object += `.t${escapeId(created)}`;
  }
  return `${escapeId(event.resource, WORD, WORDS)}-${escapeId(event.event, WORD, WORDS)}-${object}`;
}

const WORD = /^[A-Za-z0-9]$/;
const ID_CHAR = /^[A-Za-z0-9.-]$/;
/** Whole strings with nothing to escape (the common case, returned as they are). */
const WORDS = /^[A-Za-z0-9]*$/;
const ID_CHARS = /^[A-Za-z0-9.-]*$/;

/** Escapes every byte not matching `keep` (`_` never does) as `_xx`: injective, colon-free. */
function escapeId(value: string, keep: RegExp = ID_CHAR, whole: RegExp = ID_CHARS): string {
  if (whole.test(value)) return value;
  let out = "";
  for (const char of value) {
    if (keep.test(char)) out += char;
    else
      for (const byte of Buffer.from(char, "utf8")) out += `_${byte.toString(16).padStart(2, "0")}`;
  }
  return out;
}

/** The name given to each job: `resource/event`, e.g. `messages/created`. */
export function jobNameFor(event: Pick<WebhookEvent, "resource" | "event">): string {
  return `${event.resource}/${event.event}`;
}
