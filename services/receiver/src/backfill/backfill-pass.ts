import type { Redis } from "ioredis";
import { jobIdFor, sameWebexId, type Message, type Room, type WebexClient } from "@sparkbot/core";
import { DEFAULT_DEDUPE_WINDOW_MS, seenMarkerKey, type Enqueuer } from "../event-queue.js";
import { messageCreatedEventFor } from "./message-event.js";

/*
 * One backfill pass: the messages Webex may have failed to deliver, found by listing the bot's
 * rooms, most recently active first, and their messages newest first, back to `since`: in
 * direct rooms every message, in group rooms those that mention the bot (all Webex lets a bot
 * list there). Every message not yet seen (no enqueue marker) and younger than `maxAgeMs` is
 * enqueued with the job id its webhook would have had, so nothing runs twice; older ones are
 * counted and not run late.
 */

/** What a pass needs. */
export interface PassDeps {
  webex: WebexClient;
  redis: Redis;
  prefix: string;
  enqueuer: Enqueuer;
  /** The bot's person id: its own messages are skipped. */
  botId: string;
}

/** Bounds of one pass. */
export interface PassLimits {
  /** Scan back to messages created at this time (ms since the epoch). */
  since: number;
  /** Messages older than this are not run late. */
  maxAgeMs: number;
  /** Rooms looked at, at most. */
  maxRooms: number;
  /** Pages of messages read per room, at most. */
  maxPagesPerRoom: number;
  /** Messages per page. */
  pageSize: number;
}

/** What a pass found. */
export interface PassReport {
  rooms: number;
  /** Messages enqueued: missed, now recovered. */
  recovered: number;
  /** Messages already known (delivered, journaled or backfilled before). */
  seen: number;
  /** Missed messages older than `maxAgeMs`: not run. */
  tooOld: number;
  /** Ids of the messages not run for their age (for the log). */
  tooOldIds: string[];
  /** True when a bound stopped the pass before it reached `since` everywhere. */
  truncated: boolean;
}

/** Runs one pass; Webex errors (429 included) propagate to the caller. */
export async function runBackfillPass(deps: PassDeps, limits: PassLimits): Promise<PassReport> {
  const report: PassReport = {
    rooms: 0,
    recovered: 0,
    seen: 0,
    tooOld: 0,
    tooOldIds: [],
    truncated: false,
  };
  const rooms = await activeRooms(deps.webex, limits);
  report.truncated = rooms.truncated;
  for (const room of rooms.items) {
    report.rooms += 1;
    const { messages, truncated } = await roomMessagesSince(deps, room, limits);
    if (truncated) report.truncated = true;
    await enqueueUnseen(deps, messages, limits, report);
  }
  return report;
}

/** The bot's rooms active since `limits.since`, most recent first, at most `maxRooms`. */
async function activeRooms(
  webex: WebexClient,
  limits: PassLimits,
): Promise<{ items: Room[]; truncated: boolean }> {
  const listed = await webex.rooms.list(
    { sortBy: "lastactivity", max: Math.min(limits.maxRooms + 1, 1000) },
    { limit: limits.maxRooms + 1 },
  );
  const active = listed.filter((room) => activityOf(room) >= limits.since);
  return { items: active.slice(0, limits.maxRooms), truncated: active.length > limits.maxRooms };
}

function activityOf(room: Room): number {
  return Date.parse(room.lastActivity ?? room.created ?? "") || Number.POSITIVE_INFINITY;
}

/** A room's messages for the bot created since `limits.since`, newest first, page by page. */
async function roomMessagesSince(
  deps: PassDeps,
  room: Room,
  limits: PassLimits,
): Promise<{ messages: Message[]; truncated: boolean }> {
  const messages: Message[] = [];
  let beforeMessage: string | undefined;
  for (let page = 0; page < limits.maxPagesPerRoom; page += 1) {
    const items = await deps.webex.messages.list(
      {
        roomId: room.id,
        max: limits.pageSize,
        ...(room.type === "group" ? { mentionedPeople: "me" } : {}),
        ...(beforeMessage !== undefined ? { beforeMessage } : {}),
      },
      { limit: limits.pageSize },
    );
    for (const message of items) {
      if (Date.parse(message.created) < limits.since) return { messages, truncated: false };
      if (!sameWebexId(message.personId, deps.botId)) messages.push(message);
    }
    const last = items.at(-1);
    if (last === undefined || items.length < limits.pageSize) return { messages, truncated: false };
    beforeMessage = last.id;
  }
  return { messages, truncated: true };
}

/** Enqueues, oldest first, every message whose job is not known yet; counts the rest. */
async function enqueueUnseen(
  deps: PassDeps,
  newestFirst: Message[],
  limits: PassLimits,
  report: PassReport,
): Promise<void> {
  if (newestFirst.length === 0) return;
  const messages = [...newestFirst].reverse();
  const events = messages.map(messageCreatedEventFor);
  const pipeline = deps.redis.pipeline();
  for (const event of events) pipeline.get(seenMarkerKey(deps.prefix, jobIdFor(event)));
  const answers = (await pipeline.exec()) ?? [];
  const oldest = Date.now() - limits.maxAgeMs;
  for (const [index, event] of events.entries()) {
    const [error, marker] = answers[index] ?? [new Error("no answer"), null];
    if (error !== null) throw error;
    // A "pending" marker is an enqueue that began and may never have ended (the receiver was
    // killed between the marker and the job, and Webex does not redeliver): enqueued again,
    // which is a no-op when the job exists (same job id).
    if (marker !== null && marker !== "pending") {
      report.seen += 1;
    } else if (Date.parse(event.data.created ?? "") < oldest) {
      report.tooOld += 1;
      report.tooOldIds.push(event.data.id);
      // Remembered like an enqueued one, so that the next pass does not count it again.
      const marker = seenMarkerKey(deps.prefix, jobIdFor(event));
      await deps.redis.set(marker, "too_old", "PX", DEFAULT_DEDUPE_WINDOW_MS, "NX");
    } else if ((await deps.enqueuer.enqueue(event)) === "duplicate") {
      report.seen += 1;
    } else {
      report.recovered += 1;
    }
  }
}
