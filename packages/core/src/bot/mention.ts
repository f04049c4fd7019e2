import { sameWebexId } from "../webex/ids.js";
import type { Message, Person } from "../webex/types.js";

const MENTION_PATTERN = /<spark-mention\b([^>]*)>([\s\S]*?)<\/spark-mention>/gi;
const OBJECT_ID_PATTERN = /data-object-id\s*=\s*(?:"([^"]*)"|'([^']*)')/i;
const OBJECT_TYPE_PATTERN = /data-object-type\s*=\s*(?:"([^"]*)"|'([^']*)')/i;

/** The blanks `shlex.split` splits at (not the non-breaking space). */
const SPLIT_AT = " \t\r\n";
const SHLEX_BLANKS = /^[ \t\r\n]*/;

/**
 * The text of a message ready to be split, as the original prepares it: the bot's name removed
 * from the start, and nothing else changed (no trimming: `args a\ ` keeps its escaped space, a
 * trailing non-breaking space stays part of the last word).
 *
 * The name removed is, in order:
 * - the bot's mention, found in `message.html` (`<spark-mention data-object-id="<bot id>">`), so
 *   a shortened ("Spark" for "Spark Bot") or multi-word mention is removed whole;
 * - otherwise the bot's display name, or its first word, typed as the first word (any case). In
 *   a direct room this is skipped when that first word is itself a command name
 *   (`isCommandName`): a bot called "Echo" still runs its `echo` command.
 */
export function stripMention(
  message: Pick<Message, "text" | "html" | "roomType">,
  self: Pick<Person, "id" | "displayName">,
  isCommandName: (word: string) => boolean = () => false,
): string {
  const text = message.text ?? "";
  const body = text.slice(SHLEX_BLANKS.exec(text)?.[0].length ?? 0);
  const mentioned = message.html === undefined ? undefined : mentionTextFor(message.html, self.id);
  if (mentioned !== undefined && mentioned !== "" && body.startsWith(mentioned)) {
    return body.slice(mentioned.length);
  }
  const fullName = self.displayName.trim();
  for (const name of [fullName, fullName.split(/\s+/)[0] ?? ""]) {
    if (name === "" || !startsWithWord(body, name)) continue;
    if (message.roomType === "direct" && isCommandName(firstWord(body))) return text;
    return body.slice(name.length);
  }
  return text;
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

/** True when `text` starts with `word` (any case) followed by a blank `shlex` splits at, or its end. */
function startsWithWord(text: string, word: string): boolean {
  if (text.slice(0, word.length).toLowerCase() !== word.toLowerCase()) return false;
  const next = text.charAt(word.length);
  return next === "" || SPLIT_AT.includes(next);
}

/** The text up to the first blank `shlex` splits at. */
function firstWord(text: string): string {
  return text.split(/[ \t\r\n]/, 1)[0] ?? "";
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
