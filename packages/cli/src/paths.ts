import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

/** The repository root: this file is `packages/cli/{src,dist}/paths.*`. */
export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../../..");

/** The entry points `sparkbot dev` starts, the same ones docker-compose.yml runs. */
export const ENTRY_POINTS = {
  emulator: join(REPO_ROOT, "packages/emulator/dist/cli.js"),
  receiver: join(REPO_ROOT, "services/receiver/dist/main.js"),
  worker: join(REPO_ROOT, "services/worker/dist/main.js"),
} as const;

/** Where `sparkbot dev` writes its session unless `--session` or `SPARKBOT_SESSION` says otherwise. */
export function defaultSessionPath(env: NodeJS.ProcessEnv = process.env): string {
  return resolve(env["SPARKBOT_SESSION"] ?? join(process.cwd(), ".sparkbot", "dev.json"));
}
