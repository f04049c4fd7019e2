import type { WebhookEvent } from "../webex/webhook-event.js";

/*
 * Ordering per room (`ROOM_ORDERING`, on by default): the commands of one room start in the
 * order they arrived, whatever the number of workers; rooms do not wait for each other.
 *
 * The receiver, in the same script that marks a first delivery seen, adds the job to its room's
 * sorted set with the next value of one counter (`roomOrderKey`, `roomOrderCounterKey`). A
 * worker, right before it runs the handler, takes its turn: it may start when its job is the
 * lowest of the set, or when it is not in the set at all (a retry, an event stored before
 * ordering was on). Otherwise an earlier command of the room has not started yet, and it waits
 * (polling, up to a bound, then starts anyway). It leaves the set once its handler has been
 * invoked (with its first reply's ledger claim, or on its own), which lets the next one start;
 * so no handler is invoked before an earlier one of its room. A job that ends before its
 * handler (skipped, or its Webex fetch failed) leaves the set so as not to hold the room; an
 * earlier member whose job is gone or finished (removed by an operator, or run by a worker
 * without ordering, e.g. during an upgrade) is taken out by the next one's look. Both services
 * must have the same setting.
 */

/** The sorted set of a room's jobs that have not started yet (score: arrival order). */
export function roomOrderKey(prefix: string, roomId: string): string {
  return `${prefix}:room-order:${roomId}`;
}

/** The counter giving every first delivery its place in the arrival order. */
export function roomOrderCounterKey(prefix: string): string {
  return `${prefix}:room-order-counter`;
}

/** The room an event belongs to, when it has one (messages, card actions, memberships). */
export function roomOfEvent(event: WebhookEvent): string | undefined {
  const roomId = (event.data as { roomId?: unknown }).roomId;
  return typeof roomId === "string" && roomId !== "" ? roomId : undefined;
}
