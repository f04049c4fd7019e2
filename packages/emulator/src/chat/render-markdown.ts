import { Marked, type Tokens, type TokenizerAndRendererExtension } from "marked";

/**
 * Safe markdown for the chat page. Everything that comes from a message is untrusted: raw HTML
 * in the markdown is shown as text, links keep only http(s)/mailto targets, and Webex mentions
 * (`<@personId:ID|Name>`, `<@personEmail:EMAIL|Name>`, `<@all>`) become mention chips.
 */

const HTML_ESCAPES: Record<string, string> = {
  "&": "&amp;",
  "<": "&lt;",
  ">": "&gt;",
  '"': "&quot;",
  "'": "&#39;",
};

/** Escapes the five HTML-significant characters. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => HTML_ESCAPES[c] ?? c);
}

const SAFE_LINK = /^(https?:|mailto:)/i;
const MENTION = /^<@(personId|personEmail|all)(?::([^|>\s]+))?(?:\|([^>]*))?>/;

interface MentionToken extends Tokens.Generic {
  type: "mention";
  raw: string;
  kind: string;
  target: string;
  label: string;
}

/** The inline extension that turns Webex's mention syntax into a chip. */
const mentionExtension: TokenizerAndRendererExtension = {
  name: "mention",
  level: "inline",
  start: (src) => {
    const index = src.indexOf("<@");
    return index === -1 ? undefined : index;
  },
  tokenizer: (src) => {
    const match = MENTION.exec(src);
    if (!match) return undefined;
    const [raw, kind = "", target = "", label] = match;
    const token: MentionToken = {
      type: "mention",
      raw,
      kind,
      target,
      label: label ?? (kind === "all" ? "all" : target),
    };
    return token;
  },
  renderer: (token) => {
    const mention = token as MentionToken;
    const attribute =
      mention.kind === "all" ? "" : ` data-${kebab(mention.kind)}="${escapeHtml(mention.target)}"`;
    return `<span class="mention"${attribute}>@${escapeHtml(mention.label)}</span>`;
  },
};

function kebab(name: string): string {
  return name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
}

const marked = new Marked({ gfm: true, breaks: true, async: false });
marked.use({
  extensions: [mentionExtension],
  renderer: {
    html: ({ text }) => escapeHtml(text),
    link({ href, title, tokens }) {
      const inner = this.parser.parseInline(tokens);
      if (!SAFE_LINK.test(href)) return inner;
      const titleAttribute = title ? ` title="${escapeHtml(title)}"` : "";
      return `<a href="${escapeHtml(href)}"${titleAttribute} target="_blank" rel="noopener noreferrer">${inner}</a>`;
    },
    image({ href, text }) {
      const label = escapeHtml(text || href);
      if (!SAFE_LINK.test(href)) return label;
      return `<a href="${escapeHtml(href)}" target="_blank" rel="noopener noreferrer">${label}</a>`;
    },
  },
});

/** Renders untrusted markdown to HTML that is safe to insert into the page. */
export function renderMarkdown(source: string): string {
  return marked.parse(source, { async: false });
}

const SPARK_MENTION = /<spark-mention\b([^>]*)>(.*?)<\/spark-mention>/gi;

/** One attribute's value from a tag's attribute text. */
function attribute(attributes: string, name: string): string {
  return new RegExp(`\\b${name}="([^"]*)"`, "i").exec(attributes)?.[1] ?? "";
}

/** Decodes the entities Webex's message html uses. */
function decodeEntities(text: string): string {
  return text
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, "&");
}

/** The fields of a Webex message the page renders. */
export interface RenderableMessage {
  text?: string;
  markdown?: string;
  html?: string;
}

/**
 * The markdown to show for a message: its `markdown`, else — when its `html` carries
 * `<spark-mention>` tags, as a person's message in a group room does — its html turned back into
 * text with Webex mention syntax, else its `text`.
 */
export function messageSource(message: RenderableMessage): string {
  if (message.markdown !== undefined && message.markdown !== "") return message.markdown;
  if (message.html !== undefined && /<spark-mention\b/i.test(message.html)) {
    const withMentions = message.html.replace(
      SPARK_MENTION,
      (_all, attrs: string, name: string) => {
        const label = decodeEntities(name.replace(/<[^>]*>/g, "")).replace(/[|>]/g, "");
        if (attribute(attrs, "data-object-type") !== "person") return "\uE000A\uE002";
        return `\uE000M${attribute(attrs, "data-object-id")}\uE001${label}\uE002`;
      },
    );
    const plain = decodeEntities(
      withMentions.replace(/<br\s*\/?>/gi, "\n").replace(/<[^>]*>/g, ""),
    );
    return plain
      .replace(/\uE000M([^\uE001]*)\uE001([^\uE002]*)\uE002/g, "<@personId:$1|$2>")
      .replace(/\uE000A\uE002/g, "<@all>");
  }
  return message.text ?? "";
}

/** Renders a message's content to safe HTML. */
export function renderMessage(message: RenderableMessage): string {
  return renderMarkdown(messageSource(message));
}
