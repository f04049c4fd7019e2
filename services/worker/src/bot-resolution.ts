import { register } from "node:module";

/*
 * Module resolution hooks for bot modules (`BOT_MODULE`), so that a bot file works wherever it
 * is, with nothing installed beside it:
 *
 * - `@sparkbot/core` (and its subpaths) always resolve to the worker's own copy, as if the bot
 *   file sat in the worker's package. A bot in a folder without node_modules loads, and a bot
 *   whose folder has its own copy still shares the worker's: one SparkBot version per process.
 * - A `.ts`/`.tsx` file outside node_modules whose folder is not `"type": "module"` (a loose
 *   file, or a package.json without `type`) is loaded as an ES module, which is how bots are
 *   written (`import`/`export`). tsx would otherwise compile it to CommonJS, whose `require`
 *   does not go through these hooks and cannot load the ESM-only `@sparkbot/core`.
 *
 * TypeScript is compiled by tsx's hooks, registered once for the process (not tsx's scoped
 * `tsImport`, whose per-import namespace would load a second copy of `@sparkbot/core` under
 * another URL). These hooks are registered after tsx's, so they run first.
 *
 * The hooks run in Node's loader thread, so they are plain JavaScript given as a data: URL: the
 * same text whether the worker runs from dist/ or from its TypeScript sources.
 */
const HOOKS = `
import { readFileSync } from "node:fs";

let coreParent;

export function initialize(data) {
  coreParent = data.coreParent;
}

function isModuleScope(url) {
  let dir = new URL(".", url);
  for (;;) {
    try {
      return JSON.parse(readFileSync(new URL("package.json", dir), "utf8")).type === "module";
    } catch {}
    const parent = new URL("..", dir);
    if (parent.href === dir.href) return false;
    dir = parent;
  }
}

export async function resolve(specifier, context, nextResolve) {
  if (specifier === "@sparkbot/core" || specifier.startsWith("@sparkbot/core/")) {
    return nextResolve(specifier, { ...context, parentURL: coreParent });
  }
  const resolved = await nextResolve(specifier, context);
  const url = resolved.url;
  if (
    url.startsWith("file:") &&
    /\\.tsx?$/.test(new URL(url).pathname) &&
    !url.includes("/node_modules/") &&
    !isModuleScope(url)
  ) {
    return { ...resolved, format: "module-typescript" };
  }
  return resolved;
}
`;

let registered: Promise<void> | undefined;

/**
 * Installs tsx and these hooks once per process, before the first bot module is imported.
 * `coreParent` is the module `@sparkbot/core` is resolved from: by default this file, i.e. the
 * worker's own copy.
 */
export function registerBotResolution(coreParent: string = import.meta.url): Promise<void> {
  registered ??= (async () => {
    const tsx = await import("tsx/esm/api");
    tsx.register();
    register(`data:text/javascript,${encodeURIComponent(HOOKS)}`, { data: { coreParent } });
  })();
  return registered;
}

/** True once the hooks (and tsx) are installed in this process. */
export function botResolutionRegistered(): boolean {
  return registered !== undefined;
}
