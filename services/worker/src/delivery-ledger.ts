import { objectUuidOf } from "@sparkbot/core";
import type { Redis } from "ioredis";

/*
 * Delivery ledger: per-job progress in Redis, so that a retried or taken-over job does not send
 * a reply twice, plus one claim per bot message shared by every job, so that no two replies
 * ever count one message as theirs.
 *
 * Replies of one command run are numbered 0, 1, 2... in the order the handler yields them
 * (handlers are expected to yield the same replies when run again). For reply k:
 *   1. `claim(k)`, one Lua script: unless this attempt still holds the BullMQ job lock, stop
 *      ("lost": another worker has taken the job over, and only the lock holder may send); if
 *      `sent:k` is recorded, skip ("sent"); otherwise record `intent:k` = now (first intent
 *      wins) and answer "send", or "unsure" when an earlier attempt had already recorded one.
 *   2. `messages.create`, then at once `record(k, messageId)`: one Lua script claims the message
 *      for `<job>#k` (SET NX on the message's claim key) and records `sent:k`. It answers
 *      "taken" when another reply had already claimed that message (it matched it while
 *      resolving an unsure reply of its own): that reply keeps it, and this one is resolved as
 *      unsure.
 *   When Webex refuses the send outright (a 4xx, 429 included: nothing was created),
 *   `release(k)` withdraws the intent, so that the retry sends reply k without doubt.
 * An "unsure" reply (a send began, its outcome was never recorded: the worker died, Redis
 * failed, or Webex answered 5xx, dropped the connection or timed out, possibly after creating
 * the message) is looked for in the room: a message by the bot with the same content, in the
 * same room or thread, created after the intent, that no reply has claimed (see
 * delivered-reply.ts). Claiming it is atomic, so every bot message stands for at most one reply.
 *
 * The ledger lives in the BullMQ job's own hash (fields `intent:k` and `sent:k` beside BullMQ's),
 * so it lasts exactly as long as the job: kept while it runs or waits for a retry, deleted with
 * it when BullMQ removes it (`removeOnComplete`/`removeOnFail`). No expiry to set when the job
 * ends, hence one Redis round trip per claim and one per record, nothing more per job. (A
 * ledger for a job whose hash does not exist, e.g. a tool's, expires after `inFlightTtlSeconds`.)
 * Claims of bot messages live `claimTtlSeconds`, which bounds how old an intent can be resolved.
 * Jobs begun by a version that kept the ledger in its own key (`legacyLedgerKey`) are still
 * read there by `claim`, so that a rolling upgrade says nothing twice.
 */

/** Thrown when this attempt no longer holds the job's lock: another worker has taken it over. */
export class LockLostError extends Error {
  constructor(jobId: string) {
    super(`Job ${jobId} was taken over by another worker; this attempt stops sending`);
    this.name = "LockLostError";
  }
}

/** Outcome of `record`: the message recorded for the reply, or "taken" by another reply. */
export type RecordResult = { state: "recorded"; messageId: string } | { state: "taken" };

/** Outcome of `claim`; `intentAt` is when the (first) intent to send was recorded. */
export type Claim =
  | { state: "send"; intentAt: number }
  | { state: "sent"; messageId: string }
  | { state: "unsure"; intentAt: number }
  | { state: "lost" };

export interface DeliveryLedger {
  /** Claims reply `index` before it is sent; see the scheme above. */
  claim(index: number): Promise<Claim>;
  /**
   * The next `claim` also takes the job out of the room order `roomKey` (the handler has been
   * invoked: the room's next command may start), sparing a round trip. Answers a function that
   * tells whether that claim was sent yet (if not, the caller leaves the order itself).
   */
  leaveRoomWithNextClaim(roomKey: string): () => boolean;
  /**
   * Withdraws the intent recorded by `claim(index)` after Webex refused the send (a 4xx: nothing
   * was created), unless the reply is recorded as sent or this attempt lost the job's lock.
   */
  release(index: number): Promise<void>;
  /**
   * Claims bot message `messageId` for reply `index` and records the reply as sent. "taken" when
   * another reply holds that message (nothing is recorded). When the reply is already recorded
   * (a concurrent attempt resolved it), that record stands and `messageId` stays unclaimed.
   */
  record(index: number, messageId: string): Promise<RecordResult>;
}

export interface LedgerOptions {
  redis: Redis;
  /** The queue's Redis key prefix (`config.redisPrefix`). */
  prefix: string;
  queueName: string;
  jobId: string;
  /** The BullMQ lock token of this attempt; undefined skips the lock check (tests, tools). */
  token: string | undefined;
  /** Lifetime of a ledger whose job hash does not exist (tools, tests); default one day. */
  inFlightTtlSeconds?: number;
  claimTtlSeconds?: number;
}

/** How long a bot message stays claimed by the reply it was recorded for (default one hour). */
export const DEFAULT_CLAIM_TTL_SECONDS = 3600;

// KEYS: the job's hash, its lock, the legacy ledger, a room's order. ARGV: token, index, now,
// stray TTL, the job id to take out of the room's order ("" for none; see room-turn.ts).
const CLAIM_SCRIPT = `
if ARGV[5] ~= "" then redis.call("ZREM", KEYS[4], ARGV[5]) end
if ARGV[1] ~= "" and redis.call("GET", KEYS[2]) ~= ARGV[1] then return {"lost"} end
local sentField, intentField = "sent:" .. ARGV[2], "intent:" .. ARGV[2]
local sent = redis.call("HGET", KEYS[1], sentField) or redis.call("HGET", KEYS[3], sentField)
if sent then return {"sent", sent} end
local intent = redis.call("HGET", KEYS[1], intentField) or redis.call("HGET", KEYS[3], intentField)
if intent then return {"unsure", intent} end
local stray = redis.call("EXISTS", KEYS[1]) == 0
redis.call("HSET", KEYS[1], intentField, ARGV[3])
if stray then redis.call("EXPIRE", KEYS[1], ARGV[4]) end
return {"send", ARGV[3]}
`;

const RELEASE_SCRIPT = `
if ARGV[1] ~= "" and redis.call("GET", KEYS[2]) ~= ARGV[1] then return 0 end
if redis.call("HEXISTS", KEYS[1], "sent:" .. ARGV[2]) == 1 then return 0 end
return redis.call("HDEL", KEYS[1], "intent:" .. ARGV[2])
`;

// KEYS: the job's hash, the message's claim. ARGV: index, message id, owner, claim TTL, stray TTL.
const RECORD_SCRIPT = `
local sent = redis.call("HGET", KEYS[1], "sent:" .. ARGV[1])
if sent then return {"recorded", sent} end
local owner = redis.call("GET", KEYS[2])
if owner and owner ~= ARGV[3] then return {"taken"} end
if not owner then redis.call("SET", KEYS[2], ARGV[3], "EX", ARGV[4]) end
local stray = redis.call("EXISTS", KEYS[1]) == 0
redis.call("HSET", KEYS[1], "sent:" .. ARGV[1], ARGV[2])
if stray then redis.call("EXPIRE", KEYS[1], ARGV[5]) end
return {"recorded", ARGV[2]}
`;

interface LedgerCommands {
  sparkbotClaimReply2(...args: string[]): Promise<unknown>;
  sparkbotReleaseReply2(...args: string[]): Promise<unknown>;
  sparkbotRecordReply2(...args: string[]): Promise<unknown>;
}

/** The ledger's scripts as commands of `redis` (each sent once, then run by its SHA: EVALSHA). */
function ledgerCommands(redis: Redis): LedgerCommands {
  const scripts = {
    sparkbotClaimReply2: { lua: CLAIM_SCRIPT, numberOfKeys: 4 },
    sparkbotReleaseReply2: { lua: RELEASE_SCRIPT, numberOfKeys: 2 },
    sparkbotRecordReply2: { lua: RECORD_SCRIPT, numberOfKeys: 2 },
  };
  for (const [name, definition] of Object.entries(scripts)) {
    if (!(name in redis)) redis.defineCommand(name, definition);
  }
  return redis as unknown as LedgerCommands;
}

/** The ledger's Redis key for one job: the BullMQ job's own hash. */
export function ledgerKey(prefix: string, queueName: string, jobId: string): string {
  return `${prefix}:${queueName}:${jobId}`;
}

/** Where versions before the job-hash ledger kept it (read by `claim` during an upgrade). */
export function legacyLedgerKey(prefix: string, queueName: string, jobId: string): string {
  return `${prefix}:${queueName}:sparkbot-replies:${jobId}`;
}

/** The Redis key holding which reply a bot message stands for (one key per message). */
export function messageClaimKey(prefix: string, queueName: string, messageId: string): string {
  return `${prefix}:${queueName}:sparkbot-claim:${objectUuidOf(messageId) ?? messageId}`;
}

/** Creates the ledger of one job attempt. */
export function createDeliveryLedger(options: LedgerOptions): DeliveryLedger {
  const { redis, prefix, queueName, jobId } = options;
  const key = ledgerKey(prefix, queueName, jobId);
  const lockKey = `${key}:lock`;
  const strayTtl = String(options.inFlightTtlSeconds ?? 24 * 3600);
  let roomToLeave: string | undefined;
  const claimTtl = options.claimTtlSeconds ?? DEFAULT_CLAIM_TTL_SECONDS;
  return {
    async claim(index) {
      const room = roomToLeave;
      roomToLeave = undefined;
      const reply = await ledgerCommands(redis).sparkbotClaimReply2(
        key,
        lockKey,
        legacyLedgerKey(prefix, queueName, jobId),
        room ?? key,
        options.token ?? "",
        String(index),
        String(Date.now()),
        strayTtl,
        room === undefined ? "" : jobId,
      );
      return parseClaim(reply);
    },
    leaveRoomWithNextClaim(roomKey) {
      roomToLeave = roomKey;
      return () => roomToLeave === undefined;
    },
    async release(index) {
      await ledgerCommands(redis).sparkbotReleaseReply2(
        key,
        lockKey,
        options.token ?? "",
        String(index),
      );
    },
    async record(index, messageId) {
      const answer = await ledgerCommands(redis).sparkbotRecordReply2(
        key,
        messageClaimKey(prefix, queueName, messageId),
        String(index),
        messageId,
        `${jobId}#${index}`,
        String(claimTtl),
        strayTtl,
      );
      return parseRecord(answer);
    },
  };
}

function parseClaim(reply: unknown): Claim {
  if (!Array.isArray(reply)) throw new Error(`Unexpected ledger reply: ${String(reply)}`);
  const [state, detail] = reply as unknown[];
  if (state === "lost") return { state };
  if (state === "sent" && typeof detail === "string") return { state, messageId: detail };
  if ((state === "unsure" || state === "send") && typeof detail === "string") {
    return { state, intentAt: Number(detail) };
  }
  throw new Error(`Unexpected ledger reply: ${JSON.stringify(reply)}`);
}

function parseRecord(reply: unknown): RecordResult {
  if (Array.isArray(reply)) {
    const [state, messageId] = reply as unknown[];
    if (state === "taken") return { state };
    if (state === "recorded" && typeof messageId === "string") return { state, messageId };
  }
  throw new Error(`Unexpected ledger reply: ${JSON.stringify(reply)}`);
}
