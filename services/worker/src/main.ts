/**
 * Composition root of the worker process: configuration from the environment (one clear line
 * and exit 1 when it is wrong), start, and drain on SIGTERM/SIGINT (exit 0 once drained).
 */
import { ConfigError, createLogger, loadWorkerConfig } from "@sparkbot/core";
import { loadWorkerTuning } from "./settings.js";
import { startWorker, type RunningWorker } from "./start-worker.js";

function fail(message: string): never {
  process.stderr.write(`sparkbot worker: ${message}\n`);
  process.exit(1);
}

async function main(): Promise<void> {
  let config;
  let tuning;
  try {
    config = loadWorkerConfig(process.env);
    tuning = loadWorkerTuning(process.env);
  } catch (error) {
    if (error instanceof ConfigError) fail(error.message);
    throw error;
  }
  const logger = createLogger({ name: "worker", level: config.logLevel });
  // Signals are handled from the start: as PID 1 in a container, a SIGTERM with no handler would
  // be ignored, and a stop during a slow start would wait for the runtime's SIGKILL. One that
  // comes while starting (loading the bot and the Webex client, learning people/me) exits at
  // once: no job has been taken yet, or, in the instant between taking one and being up, its
  // lock expires and another worker runs it (the delivery ledger keeps replies from repeating).
  let running: RunningWorker | undefined;
  let stopping: NodeJS.Signals | undefined;
  const drain = (worker: RunningWorker, signal: NodeJS.Signals): void => {
    logger.info("draining", { signal, deadlineMs: config.drainTimeoutMs });
    worker.close().then(
      () => {
        // Everything is closed; exit even if a library left a timer behind.
        setTimeout(() => process.exit(0), 200).unref();
      },
      (error: unknown) => {
        logger.error("shutdown failed", { err: String(error) });
        setTimeout(() => process.exit(1), 200).unref();
      },
    );
  };
  const stop = (signal: NodeJS.Signals): void => {
    if (stopping !== undefined) {
      logger.warn("second signal, exiting now", { signal });
      process.exit(1);
    }
    stopping = signal;
    if (running !== undefined) return drain(running, signal);
    logger.info("stopped while starting", { signal });
    setTimeout(() => process.exit(0), 100).unref();
  };
  process.on("SIGTERM", stop);
  process.on("SIGINT", stop);
  try {
    running = await startWorker(config, { logger, tuning });
  } catch (error) {
    fail(error instanceof Error ? error.message : String(error));
  }
}

main().catch((error: unknown) => fail(error instanceof Error ? error.message : String(error)));
