/** How deeply a webhook body may nest objects and arrays (Webex's envelopes nest 2–3 levels). */
export const MAX_JSON_DEPTH = 32;

/**
 * The deepest nesting of objects and arrays in a JSON text, counted without parsing it, so that a
 * hostile body (100,000 nested arrays) is refused before any recursive code (parsing, schema
 * validation, serialising into the queue) can overflow the stack on it. Brackets inside strings
 * do not count. Stops counting past `limit`.
 */
export function jsonDepth(text: Buffer, limit = MAX_JSON_DEPTH): number {
  let depth = 0;
  let deepest = 0;
  let inString = false;
  for (let i = 0; i < text.length; i += 1) {
    const byte = text[i];
    if (inString) {
      if (byte === 0x5c)
        i += 1; // backslash: skip the escaped character
      else if (byte === 0x22) inString = false;
    } else if (byte === 0x22) inString = true;
    else if (byte === 0x7b || byte === 0x5b) {
      depth += 1;
      if (depth > deepest) deepest = depth;
      if (deepest > limit) return deepest;
    } else if (byte === 0x7d || byte === 0x5d) depth -= 1;
  }
  return deepest;
}
