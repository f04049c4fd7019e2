import type { IncomingMessage, ServerResponse } from "node:http";
import type { RequestContext } from "./context.js";

/** A handler of a routed request. */
export type RouteHandler = (ctx: RequestContext) => void | Promise<void>;

/** A raw handler mounted under a path prefix with `addRoute` (e.g. the chat page). */
export type RawHandler = (req: IncomingMessage, res: ServerResponse) => void | Promise<void>;

interface PatternRoute {
  method: string;
  segments: string[];
  handler: RouteHandler;
}

interface PrefixRoute {
  method: string;
  prefix: string;
  handler: RawHandler;
}

/** The result of looking a request up: a pattern route with its params, or a raw prefix route. */
export type RouteMatch =
  | { kind: "pattern"; handler: RouteHandler; params: Record<string, string> }
  | { kind: "raw"; handler: RawHandler }
  | { kind: "method-not-allowed" }
  | { kind: "none" };

/** A tiny router: patterns like `/v1/people/:id`, plus raw prefix routes added at run time. */
export class Router {
  private readonly patterns: PatternRoute[] = [];
  private readonly prefixes: PrefixRoute[] = [];

  /** Adds a route; `:name` segments capture path parameters. */
  on(method: string, pattern: string, handler: RouteHandler): this {
    this.patterns.push({ method: method.toUpperCase(), segments: split(pattern), handler });
    return this;
  }

  /** Adds a raw route for every path starting with `prefix` (method `*` matches any). */
  onPrefix(method: string, prefix: string, handler: RawHandler): void {
    this.prefixes.push({ method: method.toUpperCase(), prefix, handler });
  }

  /** Finds the route for a method and path. Raw prefix routes win over patterns. */
  match(method: string, pathname: string): RouteMatch {
    const upper = method.toUpperCase();
    for (const route of this.prefixes) {
      if ((route.method === "*" || route.method === upper) && pathname.startsWith(route.prefix)) {
        return { kind: "raw", handler: route.handler };
      }
    }
    const segments = split(pathname);
    let pathMatched = false;
    for (const route of this.patterns) {
      const params = matchSegments(route.segments, segments);
      if (!params) continue;
      pathMatched = true;
      if (route.method === upper) return { kind: "pattern", handler: route.handler, params };
    }
    return pathMatched ? { kind: "method-not-allowed" } : { kind: "none" };
  }
}

function split(path: string): string[] {
  return path.split("/").filter((segment) => segment !== "");
}

function matchSegments(pattern: string[], actual: string[]): Record<string, string> | undefined {
  if (pattern.length !== actual.length) return undefined;
  const params: Record<string, string> = {};
  for (const [index, segment] of pattern.entries()) {
    const value = actual[index] ?? "";
    if (segment.startsWith(":")) params[segment.slice(1)] = safeDecode(value);
    else if (segment !== value) return undefined;
  }
  return params;
}

/** Decodes a path segment; a malformed escape is kept as it is (and then matches nothing). */
function safeDecode(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}
