import type { Redis } from "ioredis";
import { createEventJob, type EventJob, type Logger } from "@sparkbot/core";
import { QueueUnavailableError, type Enqueuer, type EventQueue } from "./event-queue.js";
import { JournalUnavailableError, type Journal } from "./journal/journal.js";
import type { ReceiverMetrics } from "./metrics.js";
import { describeRedis } from "./redis.js";

/*
 * Ingest: where an accepted event is stored. Straight into Redis when it answers in time;
 * otherwise into the local journal, and the delivery is still answered 2xx (Webex never
 * redelivers a webhook). While the journal holds events, new ones join it too, so that events
 * are replayed in the order they came. The journal is replayed into Redis as soon as Redis
 * answers (on its `ready` event, and every `retryIntervalMs`), through the same idempotent
 * enqueue: an event that reached Redis and the journal both is one job. Journals of receivers
 * that died are adopted and replayed too.
 */

export interface IngestOptions {
  queue: EventQueue;
  journal: Journal;
  /** The producer connection (its `ready` event starts a replay). */
  redis: Redis;
  metrics: Pick<ReceiverMetrics, "journaled" | "journalReplayed">;
  logger: Logger;
  /** How often a replay is tried while the journal holds events (default 1000 ms). */
  retryIntervalMs?: number;
  /** How often journals of receivers that are gone are looked for and adopted (default 5 s). */
  adoptIntervalMs?: number;
  /** Called after the journal was replayed and ingest is direct again (backfill hooks in). */
  onRecovered?: () => void;
}

/** The receiver's enqueuer, with the journal behind Redis. */
export interface Ingest extends Enqueuer {
  /** `direct` while events go straight to Redis; `journaling` while the journal holds any. */
  mode(): "direct" | "journaling";
  /** Replays the journal now if Redis is ready; resolves how many events were replayed. */
  replay(): Promise<number>;
  /** Stops replay timers (the journal itself is closed by its owner). */
  stop(): Promise<void>;
}

/** Wires the queue and the journal; replays what the journal holds at start. */
export function createIngest(options: IngestOptions): Ingest {
  const { queue, journal, redis, metrics, logger } = options;
  const retryIntervalMs = options.retryIntervalMs ?? 1000;
  let journaling = journal.stats().events > 0;
  let stopped = false;
  let replaying: Promise<number> | undefined;
  let lastPauseLog = 0;

  const toJournal = async (job: EventJob, cause: string): Promise<"journaled"> => {
    try {
      await journal.append(job);
    } catch (error) {
      const reason = error instanceof JournalUnavailableError ? error.message : String(error);
      throw new QueueUnavailableError(`${cause}; and ${reason}`, { cause: error });
    }
    metrics.journaled.inc();
    return "journaled";
  };

  const replayOne = async (job: EventJob): Promise<void> => {
    const outcome = await queue.enqueue(job.event, job.receivedAt);
    metrics.journalReplayed.inc({ result: outcome === "accepted" ? "enqueued" : "duplicate" });
  };

  const replay = (): Promise<number> => {
    replaying ??= (async () => {
      let total = 0;
      // Events journaled while a pass runs go to a newer segment: pass again until none is left.
      while (!stopped && redis.status === "ready" && journal.stats().events > 0) {
        total += await journal.drain(replayOne);
      }
      if (journaling && journal.stats().events === 0) {
        journaling = false;
        logger.info("journal replayed into Redis; events go straight to Redis again", {
          replayed: total,
        });
        options.onRecovered?.();
      }
      return total;
    })()
      .catch((error: unknown) => {
        if (Date.now() - lastPauseLog > 10_000) {
          lastPauseLog = Date.now();
          logger.warn("journal replay paused: Redis cannot take events yet", {
            error: error instanceof Error ? error.message : String(error),
            pending: journal.stats().events,
          });
        }
        return 0;
      })
      .finally(() => {
        replaying = undefined;
      });
    return replaying;
  };

  const onReady = () => void replay();
  redis.on("ready", onReady);
  const timer = setInterval(() => {
    if (journal.stats().events > 0) void replay();
  }, retryIntervalMs);
  timer.unref();
  const adopter = setInterval(() => {
    journal.adoptAbandoned().then(
      (adopted) => {
        if (adopted > 0) {
          journaling = true;
          void replay();
        }
      },
      (error: unknown) =>
        logger.warn("could not adopt an abandoned journal", { error: String(error) }),
    );
  }, options.adoptIntervalMs ?? 5_000);
  adopter.unref();
  if (journaling) {
    logger.warn("the journal holds events from before this start; replaying them", {
      ...journal.stats(),
    });
    void replay();
  }

  return {
    mode: () => (journaling ? "journaling" : "direct"),
    async enqueue(event, receivedAt = Date.now()) {
      const job = createEventJob(event, receivedAt);
      if (journaling) {
        const cause =
          redis.status === "ready"
            ? "Redis has not taken the journaled backlog yet"
            : describeRedis(redis);
        return toJournal(job, cause);
      }
      try {
        return await queue.enqueue(event, receivedAt);
      } catch (error) {
        const cause = error instanceof Error ? error.message : describeRedis(redis);
        const outcome = await toJournal(job, cause);
        if (!journaling) {
          journaling = true;
          logger.error("Redis cannot take events: journaling them locally until it can", {
            cause,
            journal: journal.path,
          });
        }
        return outcome;
      }
    },
    replay,
    async stop() {
      stopped = true;
      clearInterval(timer);
      clearInterval(adopter);
      redis.off("ready", onReady);
      await replaying;
    },
  };
}
