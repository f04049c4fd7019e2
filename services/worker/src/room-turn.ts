import { QUEUE_NAME, roomOrderKey } from "@sparkbot/core";
import type { Redis } from "ioredis";

/*
 * The worker's side of ordering per room (see core's jobs/room-order.ts): a job may start when
 * it is the first of its room's set; it leaves the set once its handler has been invoked (or
 * when it ends before that), which is what lets the next one start. So the next command's
 * handler is never invoked before this one's, whichever processes run them.
 */

/** How long a job waits for the earlier commands of its room to start before it starts anyway. */
export const DEFAULT_ROOM_TURN_MAX_WAIT_MS = 10_000;

/** Delays between two looks at the room's order, in milliseconds (the last one repeats). */
const POLL_DELAYS_MS = [1, 2, 4, 8, 16, 25];

// KEYS: the room's set. ARGV: job id, "1" to start whatever the order (then it leaves at once),
// the queue's key prefix. Answers 1 (start) or 0 (an earlier command of the room has not
// started). An earlier member whose job is gone or finished (removed by an operator, or run by
// a worker without ordering) can never leave by itself: it is taken out here.
const TAKE_TURN_SCRIPT = `
if not redis.call("ZSCORE", KEYS[1], ARGV[1]) then return 1 end
if ARGV[2] == "1" then
  redis.call("ZREM", KEYS[1], ARGV[1])
  return 1
end
while true do
  local first = redis.call("ZRANGE", KEYS[1], 0, 0)[1]
  if first == nil or first == ARGV[1] then return 1 end
  local job = ARGV[3] .. first
  if redis.call("EXISTS", job) == 1 and redis.call("HEXISTS", job, "finishedOn") == 0 then
    return 0
  end
  redis.call("ZREM", KEYS[1], first)
end
`;

interface TurnCommands {
  sparkbotTakeRoomTurn(
    roomKey: string,
    jobId: string,
    force: string,
    queuePrefix: string,
  ): Promise<unknown>;
}

export interface RoomTurns {
  /**
   * Resolves once job `jobId` may start: the earlier commands of its room have started, or it
   * waited `maxWaitMs`. Resolves `waitedMs` (0 when it could start at once) and whether it
   * gave up waiting.
   */
  take(jobId: string, roomId: string): Promise<{ waitedMs: number; forced: boolean }>;
  /** Its handler was invoked, or the job ends without running it: the room's next may start. */
  leave(jobId: string, roomId: string): Promise<void>;
}

export interface RoomTurnOptions {
  redis: Redis;
  prefix: string;
  /** The queue's name (default `QUEUE_NAME`): where the room's earlier jobs are looked up. */
  queueName?: string;
  maxWaitMs?: number;
}

export function createRoomTurns(options: RoomTurnOptions): RoomTurns {
  const { redis, prefix } = options;
  const maxWaitMs = options.maxWaitMs ?? DEFAULT_ROOM_TURN_MAX_WAIT_MS;
  const queuePrefix = `${prefix}:${options.queueName ?? QUEUE_NAME}:`;
  if (!("sparkbotTakeRoomTurn" in redis)) {
    redis.defineCommand("sparkbotTakeRoomTurn", { numberOfKeys: 1, lua: TAKE_TURN_SCRIPT });
  }
  const commands = redis as unknown as TurnCommands;
  return {
    async take(jobId, roomId) {
      const key = roomOrderKey(prefix, roomId);
      const started = Date.now();
      for (let attempt = 0; ; attempt += 1) {
        const waited = Date.now() - started;
        const forced = waited >= maxWaitMs;
        if (
          (await commands.sparkbotTakeRoomTurn(key, jobId, forced ? "1" : "0", queuePrefix)) === 1
        ) {
          return { waitedMs: waited, forced };
        }
        const delay = POLL_DELAYS_MS[Math.min(attempt, POLL_DELAYS_MS.length - 1)] ?? 25;
        await new Promise((resolve) => setTimeout(resolve, delay));
      }
    },
    async leave(jobId, roomId) {
      await redis.zrem(roomOrderKey(prefix, roomId), jobId);
    },
  };
}
