#!/usr/bin/env node
// Entry point of `pnpm bench` (full run) and `node bench/run.mjs --quick` (smoke run).
// The bench is TypeScript built to bench/dist by `pnpm build` (scripts/setup.mjs runs it).
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const main = join(dirname(fileURLToPath(import.meta.url)), "dist", "main.js");
if (!existsSync(main)) {
  process.stderr.write(
    "bench: bench/dist/main.js is missing; run `pnpm build` (or `pnpm bench`) first\n",
  );
  process.exit(1);
}
await import(pathToFileURL(main).href);
