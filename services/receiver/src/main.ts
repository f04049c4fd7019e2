// Composition root of the receiver: `node services/receiver/dist/main.js`.
import { ConfigError, createLogger, loadReceiverConfig, type Logger } from "@sparkbot/core";
import { startReceiver, type RunningReceiver } from "./start.js";

function loadConfig() {
  try {
    return loadReceiverConfig(process.env);
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`sparkbot receiver: ${error.message}\n`);
      process.exit(1);
    }
    throw error;
  }
}

/** SIGTERM / SIGINT: graceful stop, also when the signal comes while the receiver is starting. */
function onSignals(started: Promise<RunningReceiver>, logger: Logger): void {
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info("shutting down", { signal });
    const force = setTimeout(() => process.exit(1), 20_000);
    force.unref();
    started
      .then((receiver) => receiver.close())
      .then(
        () => process.exit(0),
        (error: unknown) => {
          logger.error("shutdown failed", { error: String(error) });
          process.exit(1);
        },
      );
  };
  process.on("SIGTERM", () => stop("SIGTERM"));
  process.on("SIGINT", () => stop("SIGINT"));
}

async function main(): Promise<void> {
  const config = loadConfig();
  const logger = createLogger({ name: "sparkbot-receiver", level: config.logLevel });
  const started = startReceiver(config, { logger });
  onSignals(started, logger);
  await started;
}

main().catch((error: unknown) => {
  process.stderr.write(`sparkbot receiver: ${error instanceof Error ? error.message : error}\n`);
  process.exit(1);
});
