import { ADAPTIVE_CARD_CONTENT_TYPE, type CardAttachment } from "../cards/card-types.js";
import { validateAttachments, validateCard } from "../cards/card-validation.js";
import { ReplyError } from "../errors/errors.js";
import { MAX_REPLY_BYTES, splitReply } from "./split-reply.js";

/**
 * A reply beyond plain markdown: a card (with the text clients that cannot show cards show
 * instead), a file by URL, markdown or text, in the thread or in the room.
 *
 * ```ts
 * yield { card: adaptiveCard({ body: [textBlock("Hi")] }), markdown: "Hi (open Webex to see the card)" };
 * yield { file: "https://example.com/report.pdf", markdown: "The report" };
 * yield { markdown: "Answered in a thread", thread: true };
 * ```
 */
export interface ReplyMessage {
  /** Markdown; with a card or a file, the text shown beside it or where the card cannot show. */
  markdown?: string;
  /** Plain text (with `markdown`: the alternative for clients without rich text). */
  text?: string;
  /** An Adaptive Card (plain JSON, or built with `adaptiveCard`): one per message. */
  card?: Readonly<Record<string, unknown>>;
  /** Webex's own form of a card: `[{ contentType: "application/vnd.microsoft.card.adaptive", content }]`. */
  attachments?: readonly Readonly<Record<string, unknown>>[];
  /** A file Webex fetches from this http(s) URL and attaches: one per message. */
  file?: string;
  /** Webex's own form of `file`: a list of one URL. */
  files?: readonly string[];
  /**
   * `true`: in the thread of what the bot answers (started there if need be); `false`: in the
   * room, never in a thread. Unset: where it came from (a thread, or the room).
   */
  thread?: boolean;
}

/** A value a handler may produce: markdown, a reply message, or nothing (skipped). */
export type ReplyValue = string | ReplyMessage | undefined | null | void;

/** One message to send, checked and within Webex's limits: what the worker posts. */
export interface Reply {
  markdown?: string;
  text?: string;
  /** One Adaptive Card. */
  attachments?: CardAttachment[];
  /** One file URL. */
  files?: string[];
  /** The thread (its root message) the reply goes to; unset: the room. */
  parentId?: string;
}

/** Where the replies of one run go. */
export interface ReplyPlacement {
  /** The thread replies go to by default (unset: the room). */
  readonly defaultParentId: string | undefined;
  /** The root `thread: true` replies go under; unset: there is no message to thread under. */
  readonly threadRoot: string | undefined;
  /** Set when no reply may be sent at all (the bot was removed from the room): why. */
  readonly refusal?: string;
}

const FIELDS = ["markdown", "text", "card", "attachments", "file", "files", "thread"];

/**
 * Turns what a handler produced into the messages to send, or none for blank values. A long
 * markdown (or text) reply alone is split at line boundaries; a card's or a file's text must fit
 * in one message. A card without text gets `cardFallback`.
 *
 * @throws ReplyError for a reply Webex would refuse; TypeError for a value of the wrong type.
 */
export function toReplies(
  value: unknown,
  placement: ReplyPlacement,
  cardFallback: string,
): Reply[] {
  if (value === undefined || value === null) return [];
  if (typeof value === "string") {
    if (value.trim() === "") return [];
    return splitReply(value).map((markdown) => place({ markdown }, placement, undefined));
  }
  if (typeof value !== "object" || Array.isArray(value)) {
    throw new TypeError(
      `A handler must produce markdown (a string) or a reply message ({ markdown, card, file, thread }), got ${Array.isArray(value) ? "a list" : typeof value}.`,
    );
  }
  const message = value as Record<string, unknown>;
  for (const key of Object.keys(message)) {
    if (!FIELDS.includes(key)) {
      throw new ReplyError(`A reply has no field "${key}"; the fields are ${FIELDS.join(", ")}.`);
    }
  }
  const thread = message["thread"];
  if (thread !== undefined && typeof thread !== "boolean") {
    throw new ReplyError(`A reply's "thread" must be true or false, got ${typeof thread}.`);
  }
  const markdown = optionalText(message, "markdown");
  const text = optionalText(message, "text");
  const attachments = cardOf(message);
  const files = fileOf(message);
  if (attachments !== undefined && files !== undefined) {
    throw new ReplyError("A card and a file cannot share one message: send them as two replies.");
  }
  const blank = (s: string | undefined) => s === undefined || s.trim() === "";
  if (attachments === undefined && files === undefined) {
    if (blank(markdown) && blank(text)) return [];
    if (markdown === undefined || text === undefined) {
      const chunks = splitReply((markdown ?? text) as string);
      const key = markdown !== undefined ? "markdown" : "text";
      return chunks.map((chunk) => place({ [key]: chunk }, placement, thread));
    }
  }
  const reply: Reply = {};
  if (!blank(markdown)) reply.markdown = markdown;
  if (!blank(text)) reply.text = text;
  if (attachments !== undefined && reply.markdown === undefined && reply.text === undefined) {
    reply.markdown = cardFallback;
  }
  for (const key of ["markdown", "text"] as const) checkLength(reply[key], key);
  if (attachments !== undefined) reply.attachments = attachments;
  if (files !== undefined) reply.files = files;
  return [place(reply, placement, thread)];
}

function place(reply: Reply, placement: ReplyPlacement, thread: unknown): Reply {
  if (placement.refusal !== undefined) throw new ReplyError(placement.refusal);
  let parentId = placement.defaultParentId;
  if (thread === false) parentId = undefined;
  if (thread === true) {
    if (placement.threadRoot === undefined) {
      throw new ReplyError(
        "There is no message to start a thread under here: leave out `thread: true`.",
      );
    }
    parentId = placement.threadRoot;
  }
  return parentId === undefined ? reply : { ...reply, parentId };
}

function optionalText(message: Record<string, unknown>, key: string): string | undefined {
  const value = message[key];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "string")
    throw new ReplyError(`A reply's "${key}" must be a string, got ${typeof value}.`);
  return value;
}

function checkLength(text: string | undefined, key: string): void {
  if (text === undefined) return;
  const bytes = Buffer.byteLength(text, "utf8");
  if (bytes > MAX_REPLY_BYTES) {
    throw new ReplyError(
      `The ${key} of a reply with a card or a file is ${bytes} bytes; Webex takes at most ${MAX_REPLY_BYTES} (only a reply of text alone is split into several messages).`,
    );
  }
}

function cardOf(message: Record<string, unknown>): CardAttachment[] | undefined {
  const { card, attachments } = message;
  if (card !== undefined && attachments !== undefined) {
    throw new ReplyError('A reply takes its card as "card" or as "attachments", not both.');
  }
  if (card !== undefined) {
    return [{ contentType: ADAPTIVE_CARD_CONTENT_TYPE, content: validateCard(card) }];
  }
  return attachments === undefined ? undefined : validateAttachments(attachments);
}

function fileOf(message: Record<string, unknown>): string[] | undefined {
  const { file, files } = message;
  if (file !== undefined && files !== undefined) {
    throw new ReplyError('A reply takes its file as "file" or as "files", not both.');
  }
  if (files !== undefined) {
    if (!Array.isArray(files) || files.length !== 1) {
      throw new ReplyError(
        `Webex takes one file per message: "files" must be a list of one URL, got ${Array.isArray(files) ? `${files.length} items` : typeof files}.`,
      );
    }
    return [checkUrl(files[0])];
  }
  return file === undefined ? undefined : [checkUrl(file)];
}

function checkUrl(value: unknown): string {
  if (typeof value === "string") {
    try {
      const url = new URL(value);
      if (url.protocol === "https:" || url.protocol === "http:") return value;
    } catch {
      // answered below
    }
  }
  throw new ReplyError(
    `A file is sent by its URL (http or https), which Webex fetches; got ${JSON.stringify(value)}.`,
  );
}
