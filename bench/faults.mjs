#!/usr/bin/env node
// Entry point of `pnpm faults` (full run) and `node bench/faults.mjs --quick` (the CI form).
// The suite is TypeScript built to bench/dist by `pnpm build` (scripts/setup.mjs runs it).
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const main = join(dirname(fileURLToPath(import.meta.url)), "dist", "faults", "main.js");
if (!existsSync(main)) {
  process.stderr.write(
    "faults: bench/dist/faults/main.js is missing; run `pnpm build` (or `pnpm faults`) first\n",
  );
  process.exit(1);
}
await import(pathToFileURL(main).href);
