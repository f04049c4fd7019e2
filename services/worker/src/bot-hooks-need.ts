import { existsSync, realpathSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

/*
 * Whether a bot module needs the resolution hooks of bot-resolution.ts. They run in a loader
 * thread of their own and bring tsx with them (~30 MB of memory for the life of the worker), so
 * they are installed only when the bot needs them: when it is TypeScript, or when the
 * `@sparkbot/core` it would import is not the worker's own copy (a loose file with nothing
 * installed beside it, or a folder with its own copy). A JavaScript bot inside the worker's
 * install (the example bot, a package installed beside the worker) is imported as it is.
 */

const TYPESCRIPT = /\.(m|c)?tsx?$/;

/** The package folder of `@sparkbot/core` that a file at `fileUrl` would import, if any. */
function coreImportedFrom(fileUrl: string): string | undefined {
  let dir = dirname(fileURLToPath(fileUrl));
  for (;;) {
    const candidate = join(dir, "node_modules", "@sparkbot", "core");
    if (existsSync(join(candidate, "package.json"))) return realpathSync(candidate);
    const parent = dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}

/** The worker's own `@sparkbot/core` package folder. */
function workersCore(): string | undefined {
  try {
    let dir = dirname(fileURLToPath(import.meta.resolve("@sparkbot/core")));
    while (!existsSync(join(dir, "package.json"))) {
      const parent = dirname(dir);
      if (parent === dir) return undefined;
      dir = parent;
    }
    return realpathSync(dir);
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
