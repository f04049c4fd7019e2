import { ADAPTIVE_CARD_CONTENT_TYPE, type CardAttachment } from "@sparkbot/core";
import { HttpError } from "../http/context.js";

/**
 * Webex behaviours its documentation leaves open, as settings of the emulator (each default is
 * what a careful reading of the documentation suggests; see the README).
 */
export interface WebexRules {
  /**
   * Cards with more top-level actions than this are refused with a 400 (Webex's guide says "up
   * to five buttons"; whether the API refuses more is not documented). `null`, the default:
   * no limit enforced.
   */
  maxCardActions: number | null;
  /** Refuse a card sent without `text` or `markdown` (every reference client sends one). Default false. */
  requireCardText: boolean;
  /**
   * Cards whose JSON is larger are refused with 400 "Unable to share content to room" (no
   * documented limit; Webex's Card Sampler warns above about 60 KB). Default 61440.
   */
  maxCardBytes: number;
  /**
   * A `parentId` naming a reply (not a thread's root): `reject` answers 400 (the default, as
   * webex-node-bot-framework reports Webex does), `root` files the message under that
   * reply's root.
   */
  replyToReply: "reject" | "root";
}

/** The defaults of `WebexRules`. */
export const DEFAULT_WEBEX_RULES: Readonly<WebexRules> = Object.freeze({
  maxCardActions: null,
  requireCardText: false,
  maxCardBytes: 60 * 1024,
  replyToReply: "reject",
});

const INVALID = "One (or more) of the arguments is invalid.";

/**
 * Checks a message's `attachments` as Webex does, answering Webex's 400s: one attachment, the
 * Adaptive Card content type, an `AdaptiveCard` with a version ("Missing Adaptive Card
 * Version"), within the size limit; and the rules' optional checks.
 */
export function checkAttachments(
  value: unknown,
  rules: WebexRules,
  hasText: boolean,
): CardAttachment[] {
  if (!Array.isArray(value) || value.some((item) => typeof item !== "object" || item === null)) {
    throw new HttpError(400, "attachments must be a list of { contentType, content }.");
  }
  if (value.length === 0) return [];
  if (value.length > 1) throw new HttpError(400, "Only one attachment per message is supported.");
  const { contentType, content } = value[0] as Record<string, unknown>;
  if (contentType !== ADAPTIVE_CARD_CONTENT_TYPE) {
    throw new HttpError(
      400,
      `Unsupported attachment contentType ${JSON.stringify(contentType) ?? "(none)"}; use ${ADAPTIVE_CARD_CONTENT_TYPE}.`,
    );
  }
  if (typeof content !== "object" || content === null || Array.isArray(content)) {
    throw new HttpError(400, INVALID);
  }
  const card = content as Record<string, unknown>;
  if (card["type"] !== "AdaptiveCard") throw new HttpError(400, INVALID);
  if (typeof card["version"] !== "string" || card["version"] === "") {
    throw new HttpError(400, "Missing Adaptive Card Version");
  }
  if (Buffer.byteLength(JSON.stringify(card), "utf8") > rules.maxCardBytes) {
    throw new HttpError(400, "Unable to share content to room");
  }
  const actions = Array.isArray(card["actions"]) ? card["actions"].length : 0;
  if (rules.maxCardActions !== null && actions > rules.maxCardActions) {
    throw new HttpError(400, `Cards may include up to ${rules.maxCardActions} actions.`);
  }
  if (rules.requireCardText && !hasText) {
    throw new HttpError(400, "text or markdown is required with an attachment.");
  }
  return [{ contentType, content: card }];
}

/** Checks rules given to the emulator (options or the control API); a message names what is wrong. */
export function parseRules(input: Record<string, unknown>): Partial<WebexRules> | string {
  const rules: Partial<WebexRules> = {};
  for (const [key, value] of Object.entries(input)) {
    if (key === "maxCardActions") {
      if (value !== null && !(typeof value === "number" && Number.isInteger(value) && value >= 0)) {
        return "maxCardActions must be a whole number or null";
      }
      rules.maxCardActions = value;
    } else if (key === "requireCardText") {
      if (typeof value !== "boolean") return "requireCardText must be true or false";
      rules.requireCardText = value;
    } else if (key === "maxCardBytes") {
      if (typeof value !== "number" || !(value > 0))
        return "maxCardBytes must be a positive number";
      rules.maxCardBytes = value;
    } else if (key === "replyToReply") {
      if (value !== "reject" && value !== "root") return 'replyToReply must be "reject" or "root"';
      rules.replyToReply = value;
    } else {
      return `unknown rule "${key}"; the rules are ${Object.keys(DEFAULT_WEBEX_RULES).join(", ")}`;
    }
  }
  return rules;
}
