import { ReplyError } from "../errors/errors.js";
import {
  ADAPTIVE_CARD_CONTENT_TYPE,
  MAX_CARD_VERSION,
  type AdaptiveCard,
  type CardAttachment,
} from "./card-types.js";

/** Buttons a card may show at its foot: Webex's guide allows five. */
export const MAX_CARD_ACTIONS = 5;

/**
 * The largest card SparkBot sends, in UTF-8 bytes of its JSON. Webex documents no limit; its
 * Card Sampler warns above about 60 KB (JSON and images) and Webex answers such cards with 400
 * "Unable to share content to room".
 */
export const MAX_CARD_BYTES = 60 * 1024;

const VERSION = /^1\.[0-3]$/;

/**
 * Checks an Adaptive Card before it is sent, so that the author gets a clear error instead of
 * Webex's 400 at run time: `type` "AdaptiveCard"; a `version` from 1.0 to 1.3 (Webex's newest);
 * at most five top-level actions; no `Action.Execute` (1.4); every input with an id of its own;
 * each Action.Submit's `data` an object (Webex merges it into the submitted inputs, where the
 * bot reads its routing key); at most `MAX_CARD_BYTES` of JSON.
 *
 * @throws ReplyError saying what is wrong.
 */
export function validateCard(content: unknown): AdaptiveCard {
  if (typeof content !== "object" || content === null || Array.isArray(content)) {
    throw new ReplyError(`A card must be an Adaptive Card object, got ${kindOf(content)}.`);
  }
  const card = content as Record<string, unknown>;
  if (card["type"] !== "AdaptiveCard") {
    throw new ReplyError(
      `A card's "type" must be "AdaptiveCard", got ${JSON.stringify(card["type"]) ?? "nothing"}.`,
    );
  }
  const version = card["version"];
  if (version === undefined) {
    throw new ReplyError(
      `A card needs a "version" (Webex answers 400 "Missing Adaptive Card Version"): use "${MAX_CARD_VERSION}".`,
    );
  }
  if (typeof version !== "string" || !VERSION.test(version)) {
    throw new ReplyError(
      `Webex renders Adaptive Cards 1.0 to ${MAX_CARD_VERSION}; this card's version is ${JSON.stringify(version)}.`,
    );
  }
  for (const key of ["body", "actions"] as const) {
    if (card[key] !== undefined && !Array.isArray(card[key])) {
      throw new ReplyError(`A card's "${key}" must be a list, got ${kindOf(card[key])}.`);
    }
  }
  const actions = (card["actions"] as unknown[] | undefined) ?? [];
  if (actions.length > MAX_CARD_ACTIONS) {
    throw new ReplyError(
      `A card may have at most ${MAX_CARD_ACTIONS} actions (buttons) at its foot; this one has ${actions.length}. Put more in an Action.ShowCard, or in an ActionSet.`,
    );
  }
  checkElements(card, new Set<string>());
  const bytes = Buffer.byteLength(JSON.stringify(card), "utf8");
  if (bytes > MAX_CARD_BYTES) {
    throw new ReplyError(
      `This card is ${bytes} bytes of JSON; Webex refuses cards much over ${MAX_CARD_BYTES} bytes ("Unable to share content to room"). Make it smaller, or split it.`,
    );
  }
  return content as AdaptiveCard;
}

/**
 * Checks a message's `attachments` as Webex takes them: exactly one, an Adaptive Card.
 *
 * @throws ReplyError saying what is wrong.
 */
export function validateAttachments(value: unknown): CardAttachment[] {
  if (!Array.isArray(value)) {
    throw new ReplyError(`"attachments" must be a list with one card, got ${kindOf(value)}.`);
  }
  if (value.length !== 1) {
    throw new ReplyError(
      `Webex takes one card per message; this reply has ${value.length} attachments. Send each card as a reply of its own.`,
    );
  }
  const [attachment] = value as unknown[];
  if (typeof attachment !== "object" || attachment === null) {
    throw new ReplyError(
      `An attachment must be { contentType, content }, got ${kindOf(attachment)}.`,
    );
  }
  const { contentType, content } = attachment as Record<string, unknown>;
  if (contentType !== ADAPTIVE_CARD_CONTENT_TYPE) {
    throw new ReplyError(
      `An attachment's contentType must be "${ADAPTIVE_CARD_CONTENT_TYPE}", got ${JSON.stringify(contentType) ?? "nothing"}.`,
    );
  }
  return [{ contentType, content: validateCard(content) }];
}

/** Walks every object of the card: inputs, actions, and what they contain. */
function checkElements(node: unknown, inputIds: Set<string>): void {
  if (Array.isArray(node)) {
    for (const item of node) checkElements(item, inputIds);
    return;
  }
  if (typeof node !== "object" || node === null) return;
  const element = node as Record<string, unknown>;
  const type = element["type"];
  if (typeof type === "string") checkElement(type, element, inputIds);
  for (const [key, value] of Object.entries(element)) {
    // A `fallback` is an alternative to its element, and may reuse its input's id.
    if (key !== "fallback") checkElements(value, inputIds);
  }
}

function checkElement(type: string, element: Record<string, unknown>, inputIds: Set<string>): void {
  if (type === "Action.Execute") {
    throw new ReplyError(
      "Action.Execute (Adaptive Cards 1.4) does not work in Webex: use Action.Submit.",
    );
  }
  if (type === "Action.Submit") {
    const data = element["data"];
    if (data !== undefined && (typeof data !== "object" || data === null || Array.isArray(data))) {
      throw new ReplyError(
        `An Action.Submit's "data" must be an object (Webex merges it into the submitted inputs), got ${kindOf(data)}.`,
      );
    }
  }
  if (type.startsWith("Input.")) {
    const id = element["id"];
    if (typeof id !== "string" || id === "") {
      throw new ReplyError(
        `Every input needs an "id" (its value is submitted under it): a ${type} has none.`,
      );
    }
    if (inputIds.has(id)) {
      throw new ReplyError(`Two inputs of the card have the id "${id}"; each needs its own.`);
    }
    inputIds.add(id);
  }
}

function kindOf(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "a list";
  return typeof value === "object" ? "an object" : typeof value;
}
