import { readFile, rename, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { Logger } from "@sparkbot/core";

/*
 * A copy of the generated webhook secret (the one kept in Redis when WEBHOOK_SECRET is unset)
 * in the receiver's journal directory, readable by its owner only. A receiver that starts while
 * Redis is away can then still verify deliveries and journal them, instead of answering 503.
 */

/** The cache file's path under `JOURNAL_DIR`. */
export function secretCachePath(journalDir: string): string {
  return join(journalDir, "webhook-secret");
}

/** The cached secret, or undefined when there is none (or it cannot be read). */
export async function readCachedSecret(path: string): Promise<string | undefined> {
  const text = await readFile(path, "utf8").catch(() => "");
  return text.trim() === "" ? undefined : text.trim();
}

/** Writes the secret atomically (mode 0600); failures are logged, never thrown. */
export async function writeCachedSecret(
  path: string,
  secret: string,
  logger: Logger,
): Promise<void> {
  try {
    if ((await readCachedSecret(path)) === secret) return;
    const temporary = `${path}.${process.pid}.tmp`;
    await writeFile(temporary, secret, { mode: 0o600 });
    await rename(temporary, path);
  } catch (error) {
    logger.warn("could not cache the webhook secret locally", {
      path,
      error: error instanceof Error ? error.message : String(error),
    });
  }
}
