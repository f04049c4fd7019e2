import { existsSync, realpathSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

/*
 * Whether a bot module needs the resolution hooks of bot-resolution.ts. They run in a loader
 * thread of their own and bring tsx with them (~15 MB more at idle, measured), so
 * they are installed only when the bot needs them: when it is TypeScript, or when the
 * `@sparkbot/core` it would import is not the worker's own copy (a loose file with nothing
 * installed beside it, or a folder with its own copy). A JavaScript bot inside the worker's
 * install (the example bot, a package installed beside the worker) is imported as it is.
 */

/** A TypeScript file name: `.ts`, `.tsx`, `.mts`, `.cts`. */
export const TYPESCRIPT = /\.(m|c)?tsx?$/;

/** The first folder from `dir` up to the root for which `found` gives a path, and that path. */
function findUp(dir: string, found: (dir: string) => string | undefined): string | undefined {
  for (;;) {
    const path = found(dir);
    if (path !== undefined) return path;
    const parent = dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}

/** The package folder of `@sparkbot/core` that a file at `fileUrl` would import, if any. */
function coreImportedFrom(fileUrl: string): string | undefined {
  return findUp(dirname(fileURLToPath(fileUrl)), (dir) => {
    const candidate = join(dir, "node_modules", "@sparkbot", "core");
    return existsSync(join(candidate, "package.json")) ? realpathSync(candidate) : undefined;
  });
}

/** The worker's own `@sparkbot/core` package folder. */
function workersCore(): string | undefined {
  try {
    const entry = dirname(fileURLToPath(import.meta.resolve("@sparkbot/core")));
    return findUp(entry, (dir) =>
      existsSync(join(dir, "package.json")) ? realpathSync(dir) : undefined,
    );
  } catch {
    return undefined;
  }
}

/**
 * Where `target` (a file URL, or a package name resolved as the worker would) loads from; undefined
 * when it cannot be resolved here (the import then reports why).
 */
export function botModuleUrl(target: string): string | undefined {
  if (target.startsWith("file:")) return target;
  try {
    return import.meta.resolve(target);
  } catch {
    return undefined;
  }
}

/** True when the bot at `url` needs the hooks: TypeScript, or another copy of `@sparkbot/core`. */
export function botNeedsHooks(url: string | undefined): boolean {
  if (url === undefined || !url.startsWith("file:")) return true;
  if (TYPESCRIPT.test(new URL(url).pathname)) return true;
  const own = workersCore();
  return own === undefined || coreImportedFrom(url) !== own;
}
