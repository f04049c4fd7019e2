import { sameWebexId } from "../webex/ids.js";
import type { Message, Person } from "../webex/types.js";

const MENTION_PATTERN = /<spark-mention\b([^>]*)>([\s\S]*?)<\/spark-mention>/gi;
const OBJECT_ID_PATTERN = /data-object-id\s*=\s*(?:"([^"]*)"|'([^']*)')/i;
const OBJECT_TYPE_PATTERN = /data-object-type\s*=\s*(?:"([^"]*)"|'([^']*)')/i;

/**
 * The text of a message with the bot's own mention removed from its start, ready to be split.
 *
 * The mention is found in `message.html` (`<spark-mention data-object-id="<bot id>">Name</...>`),
 * so that a shortened ("Spark" for "Spark Bot") or multi-word display text is removed whole.
 * Without such html (or when the text does not start with it), in rooms that are not direct,
 * the bot's display name, or its first word, is removed from the start of `message.text`.
 */
export function stripMention(
  message: Pick<Message, "text" | "html" | "roomType">,
  self: Pick<Person, "id" | "displayName">,
): string {
  const text = (message.text ?? "").trimStart();
  const mentioned = message.html === undefined ? undefined : mentionTextFor(message.html, self.id);
  if (mentioned !== undefined && mentioned !== "" && text.startsWith(mentioned)) {
    return text.slice(mentioned.length).trim();
  }
  if (message.roomType !== "direct") {
    const names = [self.displayName.trim(), self.displayName.trim().split(/\s+/)[0] ?? ""];
    for (const name of names) {
      if (name !== "" && startsWithWord(text, name)) return text.slice(name.length).trim();
    }
  }
  return text.trim();
}

/** The displayed text of the first `<spark-mention>` of a person with id `personId`. */
export function mentionTextFor(html: string, personId: string): string | undefined {
  for (const match of html.matchAll(MENTION_PATTERN)) {
    const attributes = match[1] ?? "";
    const idMatch = OBJECT_ID_PATTERN.exec(attributes);
    const typeMatch = OBJECT_TYPE_PATTERN.exec(attributes);
    const type = typeMatch?.[1] ?? typeMatch?.[2] ?? "person";
    const id = idMatch?.[1] ?? idMatch?.[2];
    if (type === "person" && id !== undefined && sameWebexId(id, personId)) {
      return decodeEntities((match[2] ?? "").replace(/<[^>]*>/g, "")).trim();
    }
  }
  return undefined;
}

/** True when `text` starts with `word` (any case) followed by whitespace or its end. */
function startsWithWord(text: string, word: string): boolean {
  if (text.slice(0, word.length).toLowerCase() !== word.toLowerCase()) return false;
  const next = text.charAt(word.length);
  return next === "" || /\s/.test(next);
}

const NAMED_ENTITIES: Record<string, string> = {
  amp: "&",
  lt: "<",
  gt: ">",
  quot: '"',
  apos: "'",
  nbsp: "\u00a0",
};

/** Decodes the HTML entities Webex puts in display names. */
function decodeEntities(text: string): string {
  return text.replace(/&(#x[0-9a-f]+|#[0-9]+|[a-z]+);/gi, (entity, body: string) => {
    if (!body.startsWith("#")) return NAMED_ENTITIES[body.toLowerCase()] ?? entity;
    const hex = body[1] === "x" || body[1] === "X";
    const codePoint = Number.parseInt(body.slice(hex ? 2 : 1), hex ? 16 : 10);
    return codePoint <= 0x10ffff ? String.fromCodePoint(codePoint) : entity;
  });
}
