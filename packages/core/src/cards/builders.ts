import { validateCard } from "./card-validation.js";
import type { AdaptiveCard, CardAction, CardElement } from "./card-types.js";

/*
 * Typed helpers for the Adaptive Cards 1.3 elements Webex renders. Each returns the plain JSON
 * of one element, so helpers and hand-written JSON mix freely:
 *
 *   adaptiveCard({
 *     body: [textBlock("How was it?", { weight: "Bolder" }), textInput("comment", { label: "Comment" })],
 *     actions: [submitAction("Send", { action: "feedback" })],
 *   })
 */

type Spacing = "None" | "Small" | "Default" | "Medium" | "Large" | "ExtraLarge" | "Padding";
type Alignment = "Left" | "Center" | "Right";

/** What every element may have. */
export interface ElementOptions {
  id?: string;
  spacing?: Spacing;
  separator?: boolean;
  isVisible?: boolean;
}

/** Options of `adaptiveCard`. */
export interface AdaptiveCardOptions {
  body?: CardElement[];
  actions?: CardAction[];
  /** `1.0` to `1.3` (default `1.3`, the newest Webex renders). */
  version?: "1.0" | "1.1" | "1.2" | "1.3";
  /** Shown by Adaptive Cards hosts that cannot render the card (Webex shows the message's text). */
  fallbackText?: string;
}

/**
 * A card, checked as a reply would be (see `validateCard`): a mistake throws `ReplyError` where
 * the card is built rather than when it is sent.
 */
export function adaptiveCard(options: AdaptiveCardOptions = {}): AdaptiveCard {
  const card: AdaptiveCard = {
    type: "AdaptiveCard",
    $schema: "http://adaptivecards.io/schemas/adaptive-card.json",
    version: options.version ?? "1.3",
    body: options.body ?? [],
    ...(options.actions !== undefined ? { actions: options.actions } : {}),
    ...(options.fallbackText !== undefined ? { fallbackText: options.fallbackText } : {}),
  };
  validateCard(card);
  return card;
}

/** Options of `textBlock`. */
export interface TextBlockOptions extends ElementOptions {
  size?: "Small" | "Default" | "Medium" | "Large" | "ExtraLarge";
  weight?: "Lighter" | "Default" | "Bolder";
  color?: "Default" | "Dark" | "Light" | "Accent" | "Good" | "Warning" | "Attention";
  isSubtle?: boolean;
  /** Default true here (Adaptive Cards' own default, false, cuts long text). */
  wrap?: boolean;
  maxLines?: number;
  horizontalAlignment?: Alignment;
}

/** A TextBlock (its text may use the markdown subset Adaptive Cards knows). */
export function textBlock(text: string, options: TextBlockOptions = {}): CardElement {
  return { type: "TextBlock", text, wrap: true, ...options };
}

/** An Image from a URL. */
export function image(
  url: string,
  options: ElementOptions & {
    altText?: string;
    size?: "Auto" | "Stretch" | "Small" | "Medium" | "Large";
  } = {},
): CardElement {
  return { type: "Image", url, ...options };
}

/** A FactSet: `{ Owner: "Ada" }`, or a list of `{ title, value }`. */
export function factSet(
  facts: Record<string, string> | readonly { title: string; value: string }[],
  options: ElementOptions = {},
): CardElement {
  const list = Array.isArray(facts)
    ? facts.map(({ title, value }) => ({ title, value }))
    : Object.entries(facts).map(([title, value]) => ({ title, value }));
  return { type: "FactSet", facts: list, ...options };
}

/** A Container of elements. */
export function container(
  items: CardElement[],
  options: ElementOptions & {
    style?: "default" | "emphasis" | "good" | "attention" | "warning" | "accent";
  } = {},
): CardElement {
  return { type: "Container", items, ...options };
}

/** A ColumnSet; build its columns with `column`. */
export function columnSet(columns: CardElement[], options: ElementOptions = {}): CardElement {
  return { type: "ColumnSet", columns, ...options };
}

/** A Column of a ColumnSet. */
export function column(
  items: CardElement[],
  options: ElementOptions & { width?: "auto" | "stretch" | number | string } = {},
): CardElement {
  return { type: "Column", items, ...options };
}

/** An ActionSet: buttons in the body. */
export function actionSet(actions: CardAction[], options: ElementOptions = {}): CardElement {
  return { type: "ActionSet", actions, ...options };
}

/** What every input may have (Adaptive Cards 1.3 input validation, which Webex supports). */
export interface InputOptions extends Omit<ElementOptions, "id"> {
  label?: string;
  isRequired?: boolean;
  errorMessage?: string;
}

/** An Input.Text; its value is submitted under `id`. */
export function textInput(
  id: string,
  options: InputOptions & {
    placeholder?: string;
    value?: string;
    isMultiline?: boolean;
    maxLength?: number;
    regex?: string;
    style?: "text" | "tel" | "url" | "email";
  } = {},
): CardElement {
  return { type: "Input.Text", id, ...options };
}

/** An Input.Number (Webex clients submit its value as a string). */
export function numberInput(
  id: string,
  options: InputOptions & { placeholder?: string; value?: number; min?: number; max?: number } = {},
): CardElement {
  return { type: "Input.Number", id, ...options };
}

/** An Input.Date (`YYYY-MM-DD`). */
export function dateInput(
  id: string,
  options: InputOptions & { value?: string; min?: string; max?: string } = {},
): CardElement {
  return { type: "Input.Date", id, ...options };
}

/** An Input.Time (`HH:MM`). */
export function timeInput(
  id: string,
  options: InputOptions & { value?: string; min?: string; max?: string } = {},
): CardElement {
  return { type: "Input.Time", id, ...options };
}

/** An Input.Toggle: submits `valueOn` (default "true") or `valueOff` (default "false"). */
export function toggleInput(
  id: string,
  title: string,
  options: InputOptions & { value?: string; valueOn?: string; valueOff?: string } = {},
): CardElement {
  return { type: "Input.Toggle", id, title, ...options };
}

/** One choice of a choice set: a string is both its title and its value. */
export type Choice = string | { title: string; value: string };

/** An Input.ChoiceSet; a multi-select submits the chosen values joined by commas. */
export function choiceSetInput(
  id: string,
  choices: readonly Choice[],
  options: InputOptions & {
    style?: "compact" | "expanded";
    isMultiSelect?: boolean;
    value?: string;
    placeholder?: string;
  } = {},
): CardElement {
  const list = choices.map((choice) =>
    typeof choice === "string" ? { title: choice, value: choice } : { ...choice },
  );
  return { type: "Input.ChoiceSet", id, choices: list, ...options };
}

/**
 * An Action.Submit. Webex merges `data` into the submitted inputs, so the key the bot routes on
 * goes there: `submitAction("Send", { action: "feedback" })` runs `bot.action("feedback", …)`.
 */
export function submitAction(
  title: string,
  data: Record<string, unknown> = {},
  options: { id?: string; style?: "default" | "positive" | "destructive" } = {},
): CardAction {
  return { type: "Action.Submit", title, data, ...options };
}

/** An Action.OpenUrl: the client opens `url`; the bot hears nothing. */
export function openUrlAction(title: string, url: string): CardAction {
  return { type: "Action.OpenUrl", title, url };
}

/** An Action.ShowCard: shows `card` (its own body and actions) under the buttons. */
export function showCardAction(
  title: string,
  card: { type: "AdaptiveCard"; body?: CardElement[]; actions?: CardAction[] },
): CardAction {
  return { type: "Action.ShowCard", title, card };
}

/** An Action.ToggleVisibility: shows or hides the elements with these ids. */
export function toggleVisibilityAction(title: string, targetElements: string[]): CardAction {
  return { type: "Action.ToggleVisibility", title, targetElements };
}
