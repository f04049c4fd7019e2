import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { ROOT } from "./repo.js";
import { run } from "./processes.js";

/** The packages a bot author or an operator installs, by folder. */
export const PUBLISHED = [
  "packages/core",
  "packages/emulator",
  "packages/cli",
  "services/receiver",
  "services/worker",
  "examples/example-bot",
] as const;

/** The fields of a package.json the tests look at. */
export interface Manifest {
  name: string;
  version: string;
  private?: boolean;
  license?: string;
  main?: string;
  types?: string;
  bin?: Record<string, string>;
  exports?: Record<string, unknown>;
  files?: string[];
  dependencies?: Record<string, string>;
  publishConfig?: { exports?: Record<string, unknown> };
}

/** The workspace's package.json of a published package folder. */
export function workspaceManifest(folder: string): Manifest {
  return JSON.parse(readFileSync(join(ROOT, folder, "package.json"), "utf8")) as Manifest;
}

/** `pnpm pack`s every published package into `destination`; resolves with tarball paths by name. */
export async function packAll(destination: string): Promise<Map<string, string>> {
  const filters = PUBLISHED.flatMap((folder) => ["--filter", `./${folder}`]);
  const args = ["-r", ...filters, "pack", "--pack-destination", destination];
  const result = await run("pnpm", args, { cwd: ROOT, timeoutMs: 120_000 });
  if (result.code !== 0) throw new Error(`pnpm pack failed:\n${result.stdout}${result.stderr}`);
  return new Map(
    PUBLISHED.map((folder) => {
      const { name, version } = workspaceManifest(folder);
      const file = `${name.replace("@", "").replace("/", "-")}-${version}.tgz`;
      return [name, join(destination, file)] as const;
    }),
  );
}

/** The paths inside a tarball, without the leading `package/`. */
export function tarballFiles(tarball: string): string[] {
  return execFileSync("tar", ["-tzf", tarball], { encoding: "utf8" })
    .split("\n")
    .filter((line) => line !== "")
    .map((line) => line.replace(/^package\//, ""));
}

/** The package.json inside a tarball. */
export function tarballManifest(tarball: string): Manifest {
  const text = execFileSync("tar", ["-xzOf", tarball, "package/package.json"], {
    encoding: "utf8",
  });
  return JSON.parse(text) as Manifest;
}

/** Every string leaf of an `exports` map with the conditions leading to it (`.>import`). */
export function exportTargets(
  exports: unknown,
  path: string[] = [],
): { conditions: string[]; target: string }[] {
  if (typeof exports === "string") return [{ conditions: path, target: exports }];
  if (typeof exports !== "object" || exports === null) return [];
  return Object.entries(exports).flatMap(([key, value]) => exportTargets(value, [...path, key]));
}
