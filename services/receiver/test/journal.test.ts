import { spawn } from "node:child_process";
import { appendFile, mkdir, mkdtemp, readdir, rm, utimes, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createEventJob, silentLogger, type EventJob } from "@sparkbot/core";
import {
  JournalUnavailableError,
  journalScope,
  openJournal,
  type Journal,
} from "../src/journal/journal.js";
import { makeEvent } from "./helpers.js";

let root: string;
const open: Journal[] = [];

beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), "sparkbot-journal-test-"));
});

afterEach(async () => {
  await Promise.all(open.splice(0).map((journal) => journal.close().catch(() => undefined)));
  await rm(root, { recursive: true, force: true });
});

async function journalIn(options: Partial<Parameters<typeof openJournal>[0]> = {}) {
  const journal = await openJournal({
    root,
    scope: "q",
    maxBytes: 1024 * 1024,
    logger: silentLogger,
    ...options,
  });
  open.push(journal);
  return journal;
}

const job = (n: number): EventJob => createEventJob(makeEvent(), 1_000 + n);

async function drainAll(journal: Journal): Promise<EventJob[]> {
  const seen: EventJob[] = [];
  await journal.drain(async (j) => {
    seen.push(j);
  });
  return seen;
}

describe("the local journal", () => {
  it("keeps appended events on disk and hands them back oldest first, once", async () => {
    const journal = await journalIn();
    const jobs = [job(1), job(2), job(3)];
    await Promise.all(jobs.map((j) => journal.append(j)));
    expect(journal.stats()).toMatchObject({ events: 3, oldestReceivedAt: 1001 });
    expect(journal.stats().bytes).toBeGreaterThan(0);
    expect(await drainAll(journal)).toEqual(jobs);
    expect(journal.stats()).toEqual({ events: 0, bytes: 0, oldestReceivedAt: undefined });
    expect(await drainAll(journal)).toEqual([]);
  });

  it("stops at a failed replay and resumes after what was handed over", async () => {
    const journal = await journalIn();
    for (const n of [1, 2, 3]) await journal.append(job(n));
    const seen: number[] = [];
    await expect(
      journal.drain(async (j) => {
        if (j.receivedAt === 1002) throw new Error("Redis went away");
        seen.push(j.receivedAt);
      }),
    ).rejects.toThrow("Redis went away");
    expect(journal.stats()).toMatchObject({ events: 2, oldestReceivedAt: 1002 });
    await journal.append(job(4)); // appended meanwhile: a newer segment
    expect((await drainAll(journal)).map((j) => j.receivedAt)).toEqual([1002, 1003, 1004]);
    expect(seen).toEqual([1001]);
  });

  it("refuses an append that would pass its size limit, with a reason", async () => {
    const journal = await journalIn({ maxBytes: 2_000 });
    const rejected = await (async () => {
      for (let n = 0; n < 100; n += 1) {
        try {
          await journal.append(job(n));
        } catch (error) {
          return error;
        }
      }
      return undefined;
    })();
    expect(rejected).toBeInstanceOf(JournalUnavailableError);
    expect((rejected as JournalUnavailableError).reason).toBe("full");
    expect((rejected as Error).message).toMatch(/the journal is full \(\d+ of 2000 bytes\)/);
    expect(journal.stats().bytes).toBeLessThanOrEqual(2_000);
  });

  it("is found again by the next receiver after its owner stopped, and replayed there", async () => {
    const first = await journalIn();
    await first.append(job(7));
    await first.close();
    open.splice(open.indexOf(first), 1);
    const second = await journalIn();
    expect(second.stats().events).toBe(1);
    expect((await drainAll(second)).map((j) => j.receivedAt)).toEqual([1007]);
  });

  it("is adopted from a receiver process that died, not from a live one", async () => {
    const live = await journalIn();
    await live.append(job(1));
    // A receiver process that journaled an event and was killed: its directory has a dead
    // pid and a fresh heartbeat.
    const child = spawn(process.execPath, ["-e", "setTimeout(() => {}, 60000)"]);
    const deadPid = child.pid ?? 0;
    const dead = join(root, "q", `dead-host-${deadPid}`);
    await mkdir(dead, { recursive: true });
    await writeFile(
      join(dead, "owner.json"),
      JSON.stringify({ hostname: (await import("node:os")).hostname(), pid: deadPid }),
    );
    await writeFile(join(dead, "seg-0000000000001-000001.jsonl"), `${JSON.stringify(job(0))}\n`);
    const other = await journalIn();
    expect(other.stats().events).toBe(0); // the owner still runs
    const exited = new Promise((resolve) => child.once("exit", resolve));
    child.kill("SIGKILL");
    await exited;
    expect(await other.adoptAbandoned()).toBe(1);
    expect((await drainAll(other)).map((j) => j.receivedAt)).toEqual([1000]);
    expect(live.stats().events).toBe(1); // a live journal in this process is never adopted
    expect(await readdir(join(root, "q"))).not.toContain(`dead-host-${deadPid}`);
  });

  it("never adopts another queue's journal", async () => {
    const mine = await journalIn({ scope: "bot-a" });
    const theirs = await journalIn({ scope: "bot-b" });
    await theirs.append(job(1));
    await theirs.close();
    open.splice(open.indexOf(theirs), 1);
    expect(await mine.adoptAbandoned()).toBe(0);
    expect(journalScope("redis://:secret@redis:6379/0", "{sparkbot}")).toBe(
      journalScope("redis://redis:6379/0", "{sparkbot}"),
    );
    expect(journalScope("redis://redis:6379/0", "{a}")).not.toBe(
      journalScope("redis://redis:6379/0", "{b}"),
    );
  });

  it("skips a torn last line (a write cut by a crash, never acknowledged)", async () => {
    const dead = join(root, "q", "gone");
    await mkdir(dead, { recursive: true });
    const segment = join(dead, "seg-0000000000001-000001.jsonl");
    await writeFile(segment, `${JSON.stringify(job(1))}\n`);
    await appendFile(segment, JSON.stringify(job(2)).slice(0, 40));
    const past = new Date(Date.now() - 60_000);
    await utimes(dead, past, past); // created a minute ago, and no owner file: a crashed claim
    const journal = await journalIn(); // "gone" has no owner file: adopted at open
    expect((await drainAll(journal)).map((j) => j.receivedAt)).toEqual([1001]);
  });

  it("fails at open with a clear reason when its directory cannot be written", async () => {
    const file = join(root, "not-a-dir");
    await writeFile(file, "x");
    await expect(journalIn({ root: file })).rejects.toThrow(
      /JOURNAL_DIR .*not-a-dir.* is not a writable directory/,
    );
  });
});
