import { randomUUID } from "node:crypto";
import type { Redis } from "ioredis";

/*
 * One active listener per bot (per queue prefix): a Redis lease, `SET NX PX`, renewed by its
 * holder every third of its time and released on shutdown; standbys try to take it meanwhile. A
 * holder killed outright loses it when it expires, and a standby connects then.
 */

const RENEW = `if redis.call("get", KEYS[1]) == ARGV[1] then
  return redis.call("pexpire", KEYS[1], ARGV[2]) else return 0 end`;
const RELEASE = `if redis.call("get", KEYS[1]) == ARGV[1] then
  return redis.call("del", KEYS[1]) else return 0 end`;

export function leaseKey(prefix: string): string {
  return `${prefix}:receiver:websocket-lease`;
}

export interface Lease {
  /** This holder's id (the lease's value). */
  readonly holder: string;
  /** Takes the lease if nobody holds it; true when this process holds it now. */
  tryAcquire(): Promise<boolean>;
  /** Extends the lease; false when it was lost (expired, taken by another). */
  renew(): Promise<boolean>;
  /** Gives it up (only if still held). */
  release(): Promise<void>;
}

export function createLease(redis: Redis, prefix: string, ttlMs: number): Lease {
  const key = leaseKey(prefix);
  const holder = `${process.pid}-${randomUUID()}`;
  return {
    holder,
    async tryAcquire() {
      const set = await redis.set(key, holder, "PX", ttlMs, "NX");
      if (set === "OK") return true;
      return (await redis.get(key)) === holder;
    },
    async renew() {
      return (await redis.eval(RENEW, 1, key, holder, String(ttlMs))) === 1;
    },
    async release() {
      await redis.eval(RELEASE, 1, key, holder);
    },
  };
}
