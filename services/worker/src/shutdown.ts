import type { Logger } from "@sparkbot/core";
import type { Worker } from "bullmq";

/** Reason given to jobs cancelled at shutdown; their attempt fails and another worker retries. */
export const SHUTDOWN_REASON = "worker shutting down";

/** How long cancelled jobs get to wind down before the worker is closed by force. */
const CANCEL_GRACE_MS = 2_000;

/**
 * Stops `worker` taking jobs and waits for the in-flight ones, up to `deadlineMs`. Jobs still
 * running then are cancelled through their abort signal; any that ignore it are left to BullMQ's
 * stalled-job recovery (their lock expires and another worker takes them over).
 */
export async function drainWorker(
  worker: Worker,
  deadlineMs: number,
  logger: Logger,
): Promise<void> {
  const closing = worker.close();
  if (await settlesWithin(closing, deadlineMs)) return;
  logger.warn("drain deadline passed, cancelling jobs still running", { deadlineMs });
  worker.cancelAllJobs(SHUTDOWN_REASON);
  if (await settlesWithin(closing, CANCEL_GRACE_MS)) return;
  await worker.close(true);
}

/** True when `promise` settles within `ms`. */
async function settlesWithin(promise: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), ms);
  });
  const settled = promise.then(
    () => true,
    () => true,
  );
  try {
    return await Promise.race([settled, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
