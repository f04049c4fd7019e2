import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";

const require = createRequire(import.meta.url);

/** This CLI's own package directory (`packages/cli` in a checkout, or in node_modules). */
const CLI_DIR = resolve(dirname(fileURLToPath(import.meta.url)), "..");

/**
 * The root of the SparkBot repository when this CLI runs from a checkout of it, else undefined
 * (the CLI was installed from the registry into someone's project).
 */
export const WORKSPACE_ROOT: string | undefined = findWorkspaceRoot(CLI_DIR);

function findWorkspaceRoot(cliDir: string): string | undefined {
  if (cliDir.split(sep).includes("node_modules")) return undefined;
  const root = resolve(cliDir, "../..");
  const markers = ["pnpm-workspace.yaml", "packages/core/package.json"];
  return markers.every((marker) => existsSync(join(root, marker))) ? root : undefined;
}

/** The directory of an installed package, found the way Node finds it from this CLI. */
export function packageDir(name: string): string {
  return dirname(require.resolve(`${name}/package.json`));
}

/**
 * The entry points `sparkbot dev` starts (the same files docker-compose.yml runs), found through
 * this CLI's dependencies, so they work from a checkout and from an installed package alike.
 */
export const ENTRY_POINTS = {
  emulator: join(packageDir("@sparkbot/emulator"), "dist/cli.js"),
  receiver: join(packageDir("@sparkbot/receiver"), "dist/main.js"),
  worker: join(packageDir("@sparkbot/worker"), "dist/main.js"),
} as const;

/** Where `sparkbot dev` writes its session unless `--session` or `SPARKBOT_SESSION` says otherwise. */
export function defaultSessionPath(env: NodeJS.ProcessEnv = process.env): string {
  return resolve(env["SPARKBOT_SESSION"] ?? join(process.cwd(), ".sparkbot", "dev.json"));
}
