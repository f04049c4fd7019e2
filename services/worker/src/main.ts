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
  let running: RunningWorker;
  try {
    running = await startWorker(config, { logger, tuning });
  } catch (error) {
    fail(error instanceof Error ? error.message : String(error));
  }
  let stopping = false;
  const stop = (signal: NodeJS.Signals): void => {
    if (stopping) {
      logger.warn("second signal, exiting now", { signal });
      process.exit(1);
    }
    stopping = true;
    logger.info("draining", { signal, deadlineMs: config.drainTimeoutMs });
    running.close().then(
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
  process.on("SIGTERM", stop);
  process.on("SIGINT", stop);
}

main().catch((error: unknown) => fail(error instanceof Error ? error.message : String(error)));
