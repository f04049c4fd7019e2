/**
 * Adaptive Cards as Webex takes them: JSON objects, one card per message, in a message's
 * `attachments` with the content type below. Webex renders cards up to version 1.3.
 */

/** The content type of a card attachment: the only kind of attachment Webex takes. */
export const ADAPTIVE_CARD_CONTENT_TYPE = "application/vnd.microsoft.card.adaptive";

/** The newest Adaptive Cards version Webex renders. */
export const MAX_CARD_VERSION = "1.3";

/** An element of a card (a TextBlock, an input, a container…): its `type` and its properties. */
export interface CardElement {
  type: string;
  [property: string]: unknown;
}

/** A card action (Action.Submit, Action.OpenUrl, Action.ShowCard, Action.ToggleVisibility). */
export interface CardAction {
  type: string;
  [property: string]: unknown;
}

/** An Adaptive Card, the `content` of a card attachment. */
export interface AdaptiveCard {
  type: "AdaptiveCard";
  /** `1.0` to `1.3`: Webex needs it ("Missing Adaptive Card Version" otherwise). */
  version: string;
  body?: CardElement[];
  actions?: CardAction[];
  [property: string]: unknown;
}

/** One attachment of a message, as Webex sends and returns it. */
export interface CardAttachment {
  contentType: string;
  content: Record<string, unknown>;
}
