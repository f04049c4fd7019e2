import type { Redis } from "ioredis";

/*
 * Delivery ledger: per-job progress in Redis, so that a retried or taken-over job does not send
 * a reply twice.
 *
 * Scheme. Replies of one command run are numbered 0, 1, 2... in the order the handler yields
 * them (handlers are expected to yield the same replies when run again). For reply k:
 *   1. `claim(k)`, one Lua script: unless this worker still holds the BullMQ job lock, stop
 *      ("lost": another worker has taken the job over, and only the lock holder may send);
 *      if `sent:k` is recorded, skip ("sent"); otherwise record `intent:k` = now (first intent
 *      wins) and answer "send", or "unsure" when an earlier attempt had already recorded intent.
 *   2. `messages.create`, then at once `markSent(k, messageId)`.
 *   When Webex refuses the send outright (a 4xx answer, 429 included: nothing was created),
 *   `release(k)` withdraws the intent, so that the retry sends reply k without any doubt.
 * The only window left is between Webex accepting the message and `markSent` (a SIGKILL, a
 * Redis failure, or a 5xx that Webex answered after creating the message). Intent recorded
 * before the send marks exactly those replies as "unsure"; the job processor then looks in the
 * room for a message by the bot with the same markdown created since the intent, and sends only
 * when it finds none (when the room cannot be read, it sends: a rare duplicate beats a lost
 * reply). The lock check in the same script as the intent makes two attempts of one job (a slow
 * worker that lost its lock, and the one that took over) unable to both send reply k.
 *
 * The hash lives next to the queue's keys (same hash tag, so one Redis Cluster slot with the job
 * lock) for `inFlightTtlSeconds` while the job runs and `doneTtlSeconds` after it completes: a
 * job re-run after completing (lock lost at the last moment) still skips what it sent.
 */

/** Thrown when this attempt no longer holds the job's lock: another worker has taken it over. */
export class LockLostError extends Error {
  constructor(jobId: string) {
    super(`Job ${jobId} was taken over by another worker; this attempt stops sending`);
    this.name = "LockLostError";
  }
}

/** Outcome of `claim`. */
export type Claim =
  | { state: "send" }
  | { state: "sent"; messageId: string }
  | { state: "unsure"; intentAt: number }
  | { state: "lost" };

export interface DeliveryLedger {
  /** Claims reply `index` before it is sent; see the scheme above. */
  claim(index: number): Promise<Claim>;
  /**
   * Withdraws the intent recorded by `claim(index)` after Webex refused the send (a 4xx: nothing
   * was created), unless the reply is recorded as sent or this attempt lost the job's lock.
   * Without it the retry would see the reply as "unsure" and search the room, where an identical
   * reply of another job (two users asking `ping` at once) would be taken for this one's.
   */
  release(index: number): Promise<void>;
  /** Records reply `index` as delivered (always after `claim(index)`, whose TTL it keeps). */
  markSent(index: number, messageId: string): Promise<void>;
  /** Message ids recorded as sent for this job (to tell them apart when verifying). */
  sentMessageIds(): Promise<Set<string>>;
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
}

const CLAIM_SCRIPT = `
if ARGV[1] ~= "" and redis.call("GET", KEYS[2]) ~= ARGV[1] then return {"lost"} end
local sent = redis.call("HGET", KEYS[1], "sent:" .. ARGV[2])
if sent then return {"sent", sent} end
local intent = redis.call("HGET", KEYS[1], "intent:" .. ARGV[2])
if not intent then redis.call("HSET", KEYS[1], "intent:" .. ARGV[2], ARGV[3]) end
redis.call("EXPIRE", KEYS[1], ARGV[4])
if intent then return {"unsure", intent} end
return {"send"}
`;

const RELEASE_SCRIPT = `
if ARGV[1] ~= "" and redis.call("GET", KEYS[2]) ~= ARGV[1] then return 0 end
if redis.call("HEXISTS", KEYS[1], "sent:" .. ARGV[2]) == 1 then return 0 end
return redis.call("HDEL", KEYS[1], "intent:" .. ARGV[2])
`;

interface LedgerCommands {
  sparkbotClaimReply(...args: string[]): Promise<unknown>;
  sparkbotReleaseReply(...args: string[]): Promise<unknown>;
}

/** The ledger's scripts as commands of `redis` (each sent once, then run by its SHA: EVALSHA). */
function ledgerCommands(redis: Redis): LedgerCommands {
  if (!("sparkbotClaimReply" in redis)) {
    redis.defineCommand("sparkbotClaimReply", { numberOfKeys: 2, lua: CLAIM_SCRIPT });
  }
  if (!("sparkbotReleaseReply" in redis)) {
    redis.defineCommand("sparkbotReleaseReply", { numberOfKeys: 2, lua: RELEASE_SCRIPT });
  }
  return redis as unknown as LedgerCommands;
}

/** The ledger's Redis key for one job. */
export function ledgerKey(prefix: string, queueName: string, jobId: string): string {
  return `${prefix}:${queueName}:sparkbot-replies:${jobId}`;
}

/** Creates the ledger of one job attempt. */
export function createDeliveryLedger(options: LedgerOptions): DeliveryLedger {
  const { redis, prefix, queueName, jobId } = options;
  const key = ledgerKey(prefix, queueName, jobId);
  const lockKey = `${prefix}:${queueName}:${jobId}:lock`;
  const inFlightTtl = options.inFlightTtlSeconds ?? 24 * 3600;
  const doneTtl = options.doneTtlSeconds ?? 600;
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
    async markSent(index, messageId) {
      // One HSET: `claim` has just created the hash and set its in-flight TTL, which HSET keeps.
      await redis.hset(key, `sent:${index}`, messageId);
    },
    async sentMessageIds() {
      const fields = await redis.hgetall(key);
      const ids = Object.entries(fields)
        .filter(([field]) => field.startsWith("sent:"))
        .map(([, id]) => id);
      return new Set(ids);
    },
    async finish() {
      await redis.expire(key, doneTtl);
    },
  };
}

function parseClaim(reply: unknown): Claim {
  if (!Array.isArray(reply)) throw new Error(`Unexpected ledger reply: ${String(reply)}`);
  const [state, detail] = reply as unknown[];
  if (state === "send" || state === "lost") return { state };
  if (state === "sent" && typeof detail === "string") return { state, messageId: detail };
  if (state === "unsure" && typeof detail === "string") {
    return { state, intentAt: Number(detail) };
  }
  throw new Error(`Unexpected ledger reply: ${JSON.stringify(reply)}`);
}
