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
 * Keys live next to the queue's (same hash tag, one Redis Cluster slot with the job lock). The
 * job's hash lives `inFlightTtlSeconds` while the job runs and `doneTtlSeconds` after it
 * completes; claims live `claimTtlSeconds`, which bounds how old an intent can be resolved.
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
  /** The job is done: keep the record only for a short while. */
  finish(): Promise<void>;
}

export interface LedgerOptions {
  redis: Redis;
  /** The queue's Redis key prefix (`config.redisPrefix`). */
  prefix: string;
  queueName: string;
  jobId: string;
  /** The BullMQ lock token of this attempt; undefined skips the lock check (tests, tools). */
  token: string | undefined;
  inFlightTtlSeconds?: number;
  doneTtlSeconds?: number;
  claimTtlSeconds?: number;
}

/** How long a bot message stays claimed by the reply it was recorded for (default one hour). */
export const DEFAULT_CLAIM_TTL_SECONDS = 3600;

const CLAIM_SCRIPT = `
if ARGV[1] ~= "" and redis.call("GET", KEYS[2]) ~= ARGV[1] then return {"lost"} end
local sent = redis.call("HGET", KEYS[1], "sent:" .. ARGV[2])
if sent then return {"sent", sent} end
local intent = redis.call("HGET", KEYS[1], "intent:" .. ARGV[2])
if not intent then redis.call("HSET", KEYS[1], "intent:" .. ARGV[2], ARGV[3]) end
redis.call("EXPIRE", KEYS[1], ARGV[4])
if intent then return {"unsure", intent} end
return {"send", ARGV[3]}
`;

const RELEASE_SCRIPT = `
if ARGV[1] ~= "" and redis.call("GET", KEYS[2]) ~= ARGV[1] then return 0 end
if redis.call("HEXISTS", KEYS[1], "sent:" .. ARGV[2]) == 1 then return 0 end
return redis.call("HDEL", KEYS[1], "intent:" .. ARGV[2])
`;

const RECORD_SCRIPT = `
local sent = redis.call("HGET", KEYS[1], "sent:" .. ARGV[1])
if sent then return {"recorded", sent} end
local owner = redis.call("GET", KEYS[2])
if owner and owner ~= ARGV[3] then return {"taken"} end
if not owner then redis.call("SET", KEYS[2], ARGV[3], "EX", ARGV[4]) end
redis.call("HSET", KEYS[1], "sent:" .. ARGV[1], ARGV[2])
return {"recorded", ARGV[2]}
`;

interface LedgerCommands {
  sparkbotClaimReply(...args: string[]): Promise<unknown>;
  sparkbotReleaseReply(...args: string[]): Promise<unknown>;
  sparkbotRecordReply(...args: string[]): Promise<unknown>;
}

/** The ledger's scripts as commands of `redis` (each sent once, then run by its SHA: EVALSHA). */
function ledgerCommands(redis: Redis): LedgerCommands {
  const scripts = {
    sparkbotClaimReply: CLAIM_SCRIPT,
    sparkbotReleaseReply: RELEASE_SCRIPT,
    sparkbotRecordReply: RECORD_SCRIPT,
  };
  for (const [name, lua] of Object.entries(scripts)) {
    if (!(name in redis)) redis.defineCommand(name, { numberOfKeys: 2, lua });
  }
  return redis as unknown as LedgerCommands;
}

/** The ledger's Redis key for one job. */
export function ledgerKey(prefix: string, queueName: string, jobId: string): string {
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
  const lockKey = `${prefix}:${queueName}:${jobId}:lock`;
  const inFlightTtl = options.inFlightTtlSeconds ?? 24 * 3600;
  const doneTtl = options.doneTtlSeconds ?? 600;
  const claimTtl = options.claimTtlSeconds ?? DEFAULT_CLAIM_TTL_SECONDS;
  return {
    async claim(index) {
      const reply = await ledgerCommands(redis).sparkbotClaimReply(
        key,
        lockKey,
        options.token ?? "",
        String(index),
        String(Date.now()),
        String(inFlightTtl),
      );
      return parseClaim(reply);
    },
    async release(index) {
      await ledgerCommands(redis).sparkbotReleaseReply(
        key,
        lockKey,
        options.token ?? "",
        String(index),
      );
    },
    async record(index, messageId) {
      const answer = await ledgerCommands(redis).sparkbotRecordReply(
        key,
        messageClaimKey(prefix, queueName, messageId),
        String(index),
        messageId,
        `${jobId}#${index}`,
        String(claimTtl),
      );
      return parseRecord(answer);
    },
    async finish() {
      await redis.expire(key, doneTtl);
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
