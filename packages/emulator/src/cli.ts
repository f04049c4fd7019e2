#!/usr/bin/env node
import { parseArgs } from "node:util";
import { startEmulator } from "./server.js";

/** `sparkbot-emulator [--port 8900] [--host 127.0.0.1]`: runs the emulator until stopped. */
async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      port: { type: "string", default: "8900" },
      host: { type: "string", default: "127.0.0.1" },
      log: { type: "boolean", default: false },
      help: { type: "boolean", short: "h", default: false },
    },
  });
  if (values.help) {
    process.stdout.write("usage: sparkbot-emulator [--port 8900] [--host 127.0.0.1] [--log]\n");
    return;
  }
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    process.stderr.write(`sparkbot-emulator: --port must be a port number, got ${values.port}\n`);
    process.exitCode = 2;
    return;
  }
  const emulator = await startEmulator({ port, host: values.host, logRequests: values.log });
  process.stdout.write(
    `sparkbot-emulator listening on ${emulator.url} (chat page: ${emulator.url}/chat)\n`,
  );
  const stop = (): void => {
    void emulator.close().then(() => process.exit(0));
  };
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
}

main().catch((error: unknown) => {
  process.stderr.write(
    `sparkbot-emulator: ${error instanceof Error ? error.message : String(error)}\n`,
  );
  process.exit(1);
});
