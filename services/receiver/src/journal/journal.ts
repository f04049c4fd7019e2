import { createHash } from "node:crypto";
import { open, readFile, unlink, type FileHandle } from "node:fs/promises";
import { join } from "node:path";
import { parseEventJob, type EventJob, type Logger } from "@sparkbot/core";
import {
  checkWritable,
  claimInstanceDir,
  syncDir,
  type InstanceDirOptions,
} from "./instance-dir.js";

/*
 * The receiver's local journal: where an accepted event goes when Redis cannot take it, so that
 * the receiver can still answer 2xx (Webex never redelivers a webhook). Events are appended as
 * JSON lines (the job payload, `EventJob`) to segment files; appends are batched and each batch
 * is written and fdatasync'd before any of its appends resolves. Segments are replayed oldest
 * first and deleted once every event in them is back in Redis.
 *
 * A crash in the middle of a write can leave a torn last line in a segment: it was never
 * acknowledged, and is skipped on replay. Each process appends only to segments it created.
 */

/** The journal cannot take an event: it is full, or its disk refused the write. */
export class JournalUnavailableError extends Error {
  constructor(
    readonly reason: "full" | "unwritable",
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = "JournalUnavailableError";
  }
}

/** What the journal holds now. */
export interface JournalStats {
  /** Events not yet replayed. */
  events: number;
  /** Bytes of the segment files on disk. */
  bytes: number;
  /** When the oldest event not yet replayed was received (ms since the epoch). */
  oldestReceivedAt: number | undefined;
}

export interface Journal {
  /** The directory this process journals into. */
  readonly path: string;
  /** Appends one event; resolves once it is on disk (fdatasync'd). */
  append(job: EventJob): Promise<void>;
  stats(): JournalStats;
  /**
   * Hands every journaled event to `replay`, oldest first, and deletes each segment once all
   * of its events were handed over. Stops at the first rejection (and rethrows it); what was
   * handed over is not handed over again by this process. Events appended meanwhile go to a new
   * segment, replayed by the next call.
   */
  drain(replay: (job: EventJob) => Promise<void>): Promise<number>;
  /** Takes over the segments of receivers that are gone (see instance-dir.ts); returns how many. */
  adoptAbandoned(): Promise<number>;
  /** Waits for pending appends, closes the file, and releases the directory. */
  close(): Promise<void>;
}

export interface JournalOptions extends InstanceDirOptions {
  /** `JOURNAL_DIR`: the directory shared by every receiver of a host or volume. */
  root: string;
  /**
   * Which queue the events belong to (`journalScope`): receivers adopt only journals of their
   * own queue, so bots sharing a `JOURNAL_DIR` never replay each other's events.
   */
  scope: string;
  /** `JOURNAL_MAX_BYTES`: appends past this total are refused (`JournalUnavailableError`). */
  maxBytes: number;
  /** A segment larger than this is closed and a new one started (default 8 MiB). */
  segmentMaxBytes?: number;
  logger: Logger;
}

interface Segment {
  name: string;
  bytes: number;
  /** `receivedAt` of each event in the segment, in order. */
  times: number[];
  /** How many of its events were handed to `replay`. */
  replayed: number;
}

interface PendingAppend {
  line: Buffer;
  receivedAt: number;
  resolve(): void;
  reject(error: unknown): void;
}

const SEGMENT = /^seg-\d{13}-\d{6}\.jsonl$/;
let sequence = 0;

/** A new segment name: time-ordered, so sorting names sorts segments by age across receivers. */
function segmentName(): string {
  sequence = (sequence + 1) % 1_000_000;
  return `seg-${String(Date.now()).padStart(13, "0")}-${String(sequence).padStart(6, "0")}.jsonl`;
}

/**
 * The journal scope of a queue: its key prefix and a digest of where its Redis is (the URL
 * without credentials), e.g. `sparkbot-3f2a9c1d7e4b`.
 */
export function journalScope(redisUrl: string, prefix: string): string {
  const url = new URL(redisUrl);
  const where = `${url.protocol}//${url.hostname}:${url.port || "6379"}${url.pathname}|${prefix}`;
  const digest = createHash("sha256").update(where).digest("hex").slice(0, 12);
  return `${prefix.replace(/[^A-Za-z0-9.-]/g, "") || "queue"}-${digest}`;
}

/** Claims a directory under `options.root`, adopts abandoned ones, and loads their segments. */
export async function openJournal(options: JournalOptions): Promise<Journal> {
  const { logger, maxBytes } = options;
  const segmentMaxBytes = options.segmentMaxBytes ?? 8 * 1024 * 1024;
  await checkWritable(options.root); // names JOURNAL_DIR itself in the error
  const dir = await claimInstanceDir(join(options.root, options.scope), options);
  const segments: Segment[] = [];
  let active: { segment: Segment; handle: FileHandle } | undefined;
  let pending: PendingAppend[] = [];
  let pendingBytes = 0;
  let flushing: Promise<void> | undefined;
  let draining: Promise<number> | undefined;

  const load = async (name: string): Promise<Segment> => {
    const jobs = await readSegment(dir.path, name, logger);
    const bytes = (await readFile(join(dir.path, name))).length;
    return { name, bytes, times: jobs.map((job) => job.receivedAt), replayed: 0 };
  };
  const adopt = async (): Promise<number> => {
    const names = await dir.adoptAbandoned((file) => SEGMENT.test(file));
    for (const name of names) segments.push(await load(name));
    segments.sort((a, b) => a.name.localeCompare(b.name));
    if (names.length > 0)
      logger.warn("adopted the journal of a receiver that is gone", { segments: names.length });
    return names.length;
  };
  await adopt();

  const totalBytes = () => segments.reduce((sum, s) => sum + s.bytes, 0);

  const openActive = async () => {
    if (active !== undefined) return active;
    const segment: Segment = { name: segmentName(), bytes: 0, times: [], replayed: 0 };
    const handle = await open(join(dir.path, segment.name), "a");
    await syncDir(dir.path);
    segments.push(segment);
    active = { segment, handle };
    return active;
  };
  const closeActive = async () => {
    const current = active;
    active = undefined;
    await current?.handle.close().catch(() => undefined);
  };

  // The loop and the reset of `flushing` run in one turn after the last batch, so an append
  // made by a caller woken by that batch always finds `flushing` unset and starts a new flush.
  const flush = async (): Promise<void> => {
    try {
      while (pending.length > 0) {
        const batch = pending;
        pending = [];
        const data = Buffer.concat(batch.map((p) => p.line));
        pendingBytes -= data.length;
        try {
          const { segment, handle } = await openActive();
          await handle.write(data);
          await handle.datasync();
          segment.bytes += data.length;
          segment.times.push(...batch.map((p) => p.receivedAt));
          if (segment.bytes >= segmentMaxBytes) await closeActive();
          for (const p of batch) p.resolve();
        } catch (cause) {
          await closeActive(); // the next batch starts a new segment
          const reason = cause instanceof Error ? cause.message : String(cause);
          const error = new JournalUnavailableError(
            "unwritable",
            `the journal could not be written: ${reason}`,
            { cause },
          );
          for (const p of batch) p.reject(error);
        }
      }
    } finally {
      flushing = undefined;
    }
  };

  return {
    path: dir.path,
    append(job) {
      const line = Buffer.from(`${JSON.stringify(job)}\n`, "utf8");
      if (totalBytes() + pendingBytes + line.length > maxBytes) {
        return Promise.reject(
          new JournalUnavailableError(
            "full",
            `the journal is full (${totalBytes()} of ${maxBytes} bytes)`,
          ),
        );
      }
      return new Promise<void>((resolve, reject) => {
        pending.push({ line, receivedAt: job.receivedAt, resolve, reject });
        pendingBytes += line.length;
        flushing ??= flush();
      });
    },
    stats() {
      let events = pending.length;
      let oldest: number | undefined;
      for (const segment of segments) {
        events += segment.times.length - segment.replayed;
        if (oldest === undefined && segment.replayed < segment.times.length) {
          oldest = segment.times[segment.replayed];
        }
      }
      return { events, bytes: totalBytes(), oldestReceivedAt: oldest ?? pending[0]?.receivedAt };
    },
    drain(replay) {
      draining ??= (async () => {
        await flushing;
        await closeActive(); // new appends go to a new segment while these are replayed
        let handed = 0;
        for (const segment of segments.filter((s) => active?.segment !== s)) {
          const jobs = await readSegment(dir.path, segment.name, logger);
          for (; segment.replayed < jobs.length; segment.replayed += 1) {
            const job = jobs[segment.replayed];
            if (job !== undefined) await replay(job);
            handed += 1;
          }
          await unlink(join(dir.path, segment.name));
          segments.splice(segments.indexOf(segment), 1);
        }
        await syncDir(dir.path);
        return handed;
      })().finally(() => {
        draining = undefined;
      });
      return draining;
    },
    adoptAbandoned: adopt,
    async close() {
      await flushing;
      await draining?.catch(() => undefined);
      await closeActive();
      const empty = segments.every((s) => s.replayed >= s.times.length);
      if (empty)
        for (const s of segments) await unlink(join(dir.path, s.name)).catch(() => undefined);
      await dir.release(empty);
    },
  };
}

/** The events of a segment; a torn or corrupt line (never acknowledged) is skipped and logged. */
async function readSegment(dir: string, name: string, logger: Logger): Promise<EventJob[]> {
  const text = await readFile(join(dir, name), "utf8");
  const jobs: EventJob[] = [];
  const lines = text.split("\n");
  lines.forEach((line, index) => {
    if (line === "") return;
    try {
      jobs.push(parseEventJob(JSON.parse(line) as unknown));
    } catch (error) {
      const torn = index === lines.length - 1;
      logger.warn(
        torn ? "skipping a torn last line of a journal segment" : "skipping a corrupt journal line",
        {
          segment: name,
          line: index + 1,
          error: error instanceof Error ? error.message : String(error),
        },
      );
    }
  });
  return jobs;
}
