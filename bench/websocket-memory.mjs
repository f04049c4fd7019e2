#!/usr/bin/env node
// `node bench/websocket-memory.mjs [--idle-ms N] [--rounds N]`: websocket client memory, plain
// `ws` against the webex SDK's plugins (bench/src/websocket-memory/). Built by `pnpm build`.
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const main = join(dirname(fileURLToPath(import.meta.url)), "dist", "websocket-memory", "main.js");
if (!existsSync(main)) {
  process.stderr.write("websocket-memory: bench/dist is missing; run `pnpm build` first\n");
  process.exit(1);
}
await import(pathToFileURL(main).href);
