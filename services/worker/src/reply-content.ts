import type { Message, Reply } from "@sparkbot/core";

/**
 * True when `message` (as Webex lists it) has the content of `reply`, so that it may be the
 * message an earlier send of the reply created: the same thread (`parentId`); the same markdown,
 * or, for a reply of text alone, the same text; as many files (Webex answers with its own
 * content URLs, not the ones sent); and the same card — every field sent, with the same value
 * (Webex may add fields to what it keeps, never drop or change one).
 */
export function sameContent(message: Message, reply: Reply): boolean {
  if ((message.parentId ?? undefined) !== reply.parentId) return false;
  if (reply.markdown !== undefined) {
    if (message.markdown !== reply.markdown) return false;
  } else if (reply.text !== undefined && message.text !== reply.text) {
    return false;
  }
  if ((message.files?.length ?? 0) !== (reply.files?.length ?? 0)) return false;
  const sent = reply.attachments ?? [];
  const kept = message.attachments ?? [];
  if (sent.length !== kept.length) return false;
  return sent.every((attachment, index) => containsJson(kept[index], attachment));
}

/** True when `whole` has every field of `part`, recursively, with equal values (lists: same length). */
export function containsJson(whole: unknown, part: unknown): boolean {
  if (part === null || typeof part !== "object") return Object.is(whole, part);
  if (whole === null || typeof whole !== "object") return false;
  if (Array.isArray(part)) {
    return (
      Array.isArray(whole) &&
      whole.length === part.length &&
      part.every((item, index) => containsJson(whole[index], item))
    );
  }
  if (Array.isArray(whole)) return false;
  const record = whole as Record<string, unknown>;
  return Object.entries(part).every(
    ([key, value]) => value === undefined || containsJson(record[key], value),
  );
}
