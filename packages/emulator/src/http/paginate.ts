import { HttpError, type RequestContext } from "./context.js";

/** One page of a list and the headers to send with it (`Link: <…>; rel="next"` if more). */
export interface Page<T> {
  items: T[];
  headers: Record<string, string>;
}

/**
 * Cuts a page out of `items` by the `max` and `cursor` query parameters. The next page's URL
 * starts with the exact base URL the client used (its Host header), as Webex's does.
 */
export function paginate<T>(
  ctx: RequestContext,
  items: T[],
  defaultMax = 100,
  limit = 1000,
): Page<T> {
  const max = parseMax(ctx.query("max"), defaultMax, limit);
  const offset = parseCursor(ctx.query("cursor"));
  const pageItems = items.slice(offset, offset + max);
  const headers: Record<string, string> = {};
  if (offset + max < items.length) {
    const next = new URL(`${ctx.baseUrl}${ctx.url.pathname}${ctx.url.search}`);
    next.searchParams.set("max", String(max));
    next.searchParams.set("cursor", Buffer.from(`offset:${offset + max}`).toString("base64url"));
    headers["link"] = `<${next.toString()}>; rel="next"`;
  }
  return { items: pageItems, headers };
}

function parseMax(raw: string | undefined, defaultMax: number, limit: number): number {
  if (raw === undefined) return defaultMax;
  const max = Number(raw);
  if (!Number.isInteger(max) || max < 1) {
    throw new HttpError(400, "max must be a positive integer.");
  }
  return Math.min(max, limit);
}

function parseCursor(raw: string | undefined): number {
  if (raw === undefined) return 0;
  const match = /^offset:(\d+)$/.exec(Buffer.from(raw, "base64url").toString("utf8"));
  if (!match?.[1]) throw new HttpError(400, "Invalid cursor.");
  return Number(match[1]);
}
