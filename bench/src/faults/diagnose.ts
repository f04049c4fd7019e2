// When replies are missing: what became of the messages that should have had them. For each
// user message of a room short of replies, its job in Redis (none, waiting, failed...), the
// receiver's enqueue marker, and the emulator's webhook deliveries of it.
import { QUEUE_NAME, jobIdFor } from "@sparkbot/core";
import type { DeliveryRecord } from "@sparkbot/emulator";
import type { FaultStack } from "./stack.js";
import type { PlannedMessage } from "./workload.js";

/** One message that may explain a loss. */
export interface Suspect {
  messageId: string;
  text: string;
  created: string;
  /** `none`, or the job's state as far as its hash tells (`completed`, `failed: …`, `queued`). */
  job: string;
  /** The receiver's enqueue marker (`pending`, `queued`, `too_old`) or `none`. */
  marker: string;
  /** Webhook delivery attempts: status (or error), time. */
  deliveries: string[];
}

/** Up to `limit` messages without a completed job, in rooms or tags short of replies. */
export async function diagnoseLosses(
  stack: FaultStack,
  plan: readonly PlannedMessage[],
  short: { rooms: Set<string>; tags: Set<string> },
  limit = 20,
): Promise<Suspect[]> {
  const prefix = `faults-${stack.settings.label}`;
  const deliveries = new Map<string, DeliveryRecord[]>();
  for (const record of await stack.control.deliveries()) {
    const list = deliveries.get(record.dataId) ?? [];
    list.push(record);
    deliveries.set(record.dataId, list);
  }
  const suspects: Suspect[] = [];
  for (const roomId of short.rooms) {
    const ours = new Set(plan.filter((m) => m.room.roomId === roomId).map((m) => m.personId));
    const messages = (await stack.control.roomMessages(roomId)).filter((m) => ours.has(m.personId));
    for (const message of messages) {
      const tag = /count \d+ (\S+)/.exec(message.text ?? "")?.[1];
      if (tag !== undefined && !short.tags.has(tag)) continue;
      const event = { resource: "messages", event: "created", data: { id: message.id } };
      const jobId = jobIdFor(event);
      const job = await stack.probe.hgetall(`${prefix}:${QUEUE_NAME}:${jobId}`);
      const state =
        Object.keys(job).length === 0
          ? "none"
          : job["failedReason"] !== undefined && job["finishedOn"] !== undefined
            ? `failed: ${job["failedReason"]}`
            : job["finishedOn"] !== undefined
              ? "completed"
              : "queued";
      if (state === "completed") continue;
      const marker = (await stack.probe.get(`${prefix}:receiver:seen:${jobId}`)) ?? "none";
      suspects.push({
        messageId: message.id,
        text: message.text ?? "",
        created: message.created,
        job: state,
        marker,
        deliveries: (deliveries.get(message.id) ?? []).map(
          (d) => `${d.status ?? d.error ?? "?"} at ${d.at}`,
        ),
      });
      if (suspects.length >= limit) return suspects;
    }
  }
  return suspects;
}
