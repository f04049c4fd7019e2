import { jobIdFor, type WebhookEvent } from "@sparkbot/core";

const known = new WeakMap<WebhookEvent, string>();

/**
 * `jobIdFor(event)`, computed once per event object: a delivery's route and its enqueue both
 * need it (events are never changed once parsed).
 */
export function jobIdOf(event: WebhookEvent): string {
  let jobId = known.get(event);
  if (jobId === undefined) {
    jobId = jobIdFor(event);
    known.set(event, jobId);
  }
  return jobId;
}
