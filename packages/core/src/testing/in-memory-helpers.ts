import { WebexApiError } from "../errors/errors.js";
import type { ListOptions } from "../webex/client.js";

/** `value`, or Webex's 404 for a missing `kind`. */
export function found<T>(value: T | undefined, kind: string, id: string): T {
  if (value === undefined) {
    throw new WebexApiError(404, `The requested ${kind} could not be found: ${id}`);
  }
  return value;
}

/** The first `options.limit` items (all without a limit). */
export function limit<T>(items: T[], options: ListOptions | undefined): T[] {
  return options?.limit === undefined ? items : items.slice(0, options.limit);
}

/** A filter keeping what comes after the message `id` in a newest-first list (all if undefined). */
export function afterMessage<T extends { id: string }>(
  id: string | undefined,
): (item: T) => boolean {
  if (id === undefined) return () => true;
  let seen = false;
  return (item) => {
    if (seen) return true;
    if (item.id === id) seen = true;
    return false;
  };
}
