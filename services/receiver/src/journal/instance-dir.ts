import { randomBytes } from "node:crypto";
import { constants } from "node:fs";
import {
  access,
  mkdir,
  open,
  readFile,
  readdir,
  rename,
  rm,
  stat,
  utimes,
  writeFile,
} from "node:fs/promises";
import { hostname } from "node:os";
import { join } from "node:path";

/*
 * Each receiver journals into a directory of its own under `JOURNAL_DIR`, so that several
 * receivers may share one volume. A receiver marks its directory with `owner.json` (host, pid)
 * and touches it every `heartbeatMs`. A directory whose owner is gone (its heartbeat older than
 * `staleAfterMs`, or its process dead on this host, or released at a clean stop) is adopted by
 * whichever receiver finds it first: its segments move into the finder's directory, and are
 * replayed from there. Adoption starts with an atomic rename, so two finders never both take it.
 */

const OWNER_FILE = "owner.json";
const ADOPTING = ".adopting-";
/** Directories claimed by this process (tests run several receivers in one process). */
const ours = new Set<string>();

/** Who owns a journal directory; `released` once it stopped cleanly. */
interface Owner {
  hostname: string;
  pid: number;
  released?: boolean;
}

/** A journal directory this process owns. */
export interface InstanceDir {
  /** The directory's path. */
  readonly path: string;
  /** Moves the segments of abandoned sibling directories here; returns the moved file names. */
  adoptAbandoned(isSegment: (name: string) => boolean): Promise<string[]>;
  /** Stops the heartbeat and marks the directory free to adopt (or removes it when `empty`). */
  release(empty: boolean): Promise<void>;
}

export interface InstanceDirOptions {
  heartbeatMs?: number;
  staleAfterMs?: number;
}

/** Fails with a one-line reason when `root` cannot be created or written to. */
export async function checkWritable(root: string): Promise<void> {
  try {
    await mkdir(root, { recursive: true });
    await access(root, constants.W_OK | constants.X_OK);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new Error(`JOURNAL_DIR ${root} is not a writable directory (${reason})`);
  }
}

/** Creates this process's directory under `root` and starts its heartbeat. */
export async function claimInstanceDir(
  root: string,
  options: InstanceDirOptions = {},
): Promise<InstanceDir> {
  const heartbeatMs = options.heartbeatMs ?? 2_000;
  const staleAfterMs = options.staleAfterMs ?? 15_000;
  await checkWritable(root);
  const name = `${safe(hostname())}-${process.pid}-${randomBytes(3).toString("hex")}`;
  const path = join(root, name);
  await mkdir(path);
  ours.add(path);
  const ownerFile = join(path, OWNER_FILE);
  const owner: Owner = { hostname: hostname(), pid: process.pid };
  await writeFile(ownerFile, JSON.stringify(owner));
  await syncDir(root);
  const beat = setInterval(() => {
    const now = new Date();
    utimes(ownerFile, now, now).catch(() => undefined);
  }, heartbeatMs);
  beat.unref();

  return {
    path,
    async adoptAbandoned(isSegment) {
      const moved: string[] = [];
      for (const sibling of await readdir(root, { withFileTypes: true })) {
        const siblingPath = join(root, sibling.name);
        if (!sibling.isDirectory() || ours.has(siblingPath)) continue;
        const leftover = sibling.name.startsWith(ADOPTING);
        if (!leftover && !(await abandoned(siblingPath, staleAfterMs))) continue;
        const taken = leftover ? siblingPath : join(root, `${ADOPTING}${name}-${sibling.name}`);
        if (!leftover && !(await tryRename(siblingPath, taken))) continue;
        for (const file of await readdir(taken)) {
          if (!isSegment(file)) continue;
          await rename(join(taken, file), join(path, file));
          moved.push(file);
        }
        await syncDir(path);
        await rm(taken, { recursive: true, force: true });
      }
      return moved.sort();
    },
    async release(empty) {
      clearInterval(beat);
      ours.delete(path);
      if (empty) await rm(path, { recursive: true, force: true });
      else await writeFile(ownerFile, JSON.stringify({ ...owner, released: true })); // adopt at once
      await syncDir(root).catch(() => undefined);
    },
  };
}

/** True when the directory's owner is gone: released, stale heartbeat, or a dead local process. */
async function abandoned(dir: string, staleAfterMs: number): Promise<boolean> {
  const ownerFile = join(dir, OWNER_FILE);
  let beatAt: number;
  let owner: Owner | undefined;
  try {
    beatAt = (await stat(ownerFile)).mtimeMs;
    owner = JSON.parse(await readFile(ownerFile, "utf8")) as Owner;
  } catch {
    // No owner file: released at a clean stop, or a crash before it was written.
    const created = await stat(dir).then(
      (s) => s.mtimeMs,
      () => 0,
    );
    return Date.now() - created > 1_000;
  }
  if (Date.now() - beatAt > staleAfterMs) return true;
  // On this host a dead pid (or our own pid: a previous life of this container) is gone now.
  return owner.hostname === hostname() && (owner.pid === process.pid || !alive(owner.pid));
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

async function tryRename(from: string, to: string): Promise<boolean> {
  try {
    await rename(from, to);
    return true;
  } catch {
    return false; // another receiver adopted it first, or it vanished
  }
}

/** fsync of a directory, so that a created, renamed or removed entry survives a crash. */
export async function syncDir(path: string): Promise<void> {
  const handle = await open(path, "r");
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

function safe(name: string): string {
  return name.replace(/[^A-Za-z0-9.-]/g, "_") || "host";
}
