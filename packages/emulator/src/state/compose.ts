import type { CardAttachment, Message, Person, Room } from "@sparkbot/core";
import { marked } from "marked";
import { HttpError } from "../http/context.js";
import { webexId } from "../ids.js";
import type { EmulatorStore } from "./store.js";

/** The content of a new message, from the control API or from `POST /v1/messages`. */
export interface MessageContent {
  text?: string;
  markdown?: string;
  /** Person ids to @mention: their display names are put in front of `text`. */
  mentions?: string[];
  parentId?: string;
  files?: string[];
  attachments?: CardAttachment[];
}

/** Webex's limit on a message, before encryption. */
export const MAX_MESSAGE_BYTES = 7439;

const MENTION_TOKEN = /<@(personId|personEmail):([^|>]+)(?:\|([^>]*))?>/g;

/**
 * Builds the stored message as Webex would: mentions become the display name in `text` and a
 * `<spark-mention>` in `html`; markdown is rendered to `html`, with `text` its plain form.
 */
export function composeMessage(
  store: EmulatorStore,
  author: Person,
  room: Room,
  content: MessageContent,
): Message {
  checkSize(content);
  const mentioned: Person[] = (content.mentions ?? []).map((id) => store.requirePerson(id));
  let text = content.text ?? "";
  let html: string | undefined;
  if (content.markdown !== undefined) {
    const rendered = renderMarkdown(store, content.markdown, mentioned);
    html = rendered.html;
    text = content.text ?? rendered.text;
  } else if (mentioned.length > 0) {
    const names = mentioned
      .filter((p) => !text.startsWith(p.displayName))
      .map((p) => p.displayName);
    const tags = mentioned.map((p) => sparkMention(p)).join(" ");
    const rest = mentioned.reduce((acc, p) => stripLeading(acc, p.displayName), text);
    text = [...names, text].filter((part) => part !== "").join(" ");
    html = `<p>${tags}${rest === "" ? "" : ` ${escapeHtml(rest)}`}</p>`;
  }
  const mentionedPeople = [...new Set(mentioned.map((p) => p.id))];
  const message: Message = {
    id: webexId("MESSAGE"),
    roomId: room.id,
    roomType: room.type,
    text,
    personId: author.id,
    personEmail: author.emails[0] ?? "",
    created: store.isoNow(),
  };
  if (content.markdown !== undefined) message.markdown = content.markdown;
  if (html !== undefined) message.html = html;
  if (content.parentId) message.parentId = content.parentId;
  if (content.files && content.files.length > 0) message.files = content.files;
  if (content.attachments && content.attachments.length > 0) {
    message.attachments = content.attachments;
  }
  if (mentionedPeople.length > 0) message.mentionedPeople = mentionedPeople;
  return message;
}

/** Refuses a message over 7439 bytes with Webex's 400. */
function checkSize(content: MessageContent): void {
  const bytes = Math.max(
    Buffer.byteLength(content.text ?? "", "utf8"),
    Buffer.byteLength(content.markdown ?? "", "utf8"),
  );
  if (bytes > MAX_MESSAGE_BYTES) {
    throw new HttpError(
      400,
      "Unable to post message to room: Message length limited to 7439 characters before encryption and 10000 characters after encryption.",
    );
  }
}

/** Renders markdown (with `<@personId:…>` / `<@personEmail:…>` mention tokens) to html and text. */
function renderMarkdown(
  store: EmulatorStore,
  markdown: string,
  mentioned: Person[],
): { html: string; text: string } {
  const withTags = markdown.replace(MENTION_TOKEN, (token, kind: string, key: string, label) => {
    const person = kind === "personId" ? store.people.get(key) : store.personByEmail(key);
    if (!person) return typeof label === "string" ? label : token;
    if (!mentioned.some((p) => p.id === person.id)) mentioned.push(person);
    return sparkMention(person, typeof label === "string" && label !== "" ? label : undefined);
  });
  return renderCached(withTags);
}

/** Rendered markdown by source (bots repeat their replies); bounded, oldest entry dropped first. */
const rendered = new Map<string, { html: string; text: string }>();
const RENDER_CACHE_SIZE = 500;

/** `marked` is most of the cost of creating a markdown message: each source is rendered once. */
function renderCached(source: string): { html: string; text: string } {
  const known = rendered.get(source);
  if (known !== undefined) return known;
  const html = (marked.parse(source, { async: false }) as string).trim();
  const result = { html, text: plainText(html) };
  if (rendered.size >= RENDER_CACHE_SIZE) {
    const oldest = rendered.keys().next();
    if (oldest.done !== true) rendered.delete(oldest.value);
  }
  rendered.set(source, result);
  return result;
}

function sparkMention(person: Person, label = person.displayName): string {
  return `<spark-mention data-object-type="person" data-object-id="${person.id}">${escapeHtml(label)}</spark-mention>`;
}

function stripLeading(text: string, name: string): string {
  return text.startsWith(name) ? text.slice(name.length).trimStart() : text;
}

function escapeHtml(text: string): string {
  return text
    .replaceAll("&", "&amp;")
    .replaceAll("<", "&lt;")
    .replaceAll(">", "&gt;")
    .replaceAll('"', "&quot;");
}

function plainText(html: string): string {
  return html
    .replace(/<\/(p|li|h\d|pre|blockquote)>/g, "\n")
    .replace(/<br\s*\/?>/g, "\n")
    .replace(/<[^>]+>/g, "")
    .replaceAll("&lt;", "<")
    .replaceAll("&gt;", ">")
    .replaceAll("&quot;", '"')
    .replaceAll("&#39;", "'")
    .replaceAll("&amp;", "&")
    .replace(/\n{2,}/g, "\n")
    .trim();
}
