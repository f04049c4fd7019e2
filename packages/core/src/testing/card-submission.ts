import type { AdaptiveCard } from "../cards/card-types.js";

/**
 * What a Webex client submits when a card's Action.Submit is pressed, as Adaptive Cards' own
 * renderer builds it: the button's `data`, then every input's value under its id (strings; an
 * input left as the card set it submits that `value`). A required input left empty stops the
 * submission, as it stops a real client.
 */
export function submittedInputs(
  card: AdaptiveCard,
  values: Readonly<Record<string, unknown>>,
  button: string | undefined,
): Record<string, unknown> {
  const submit = findSubmit(card, button);
  const inputs = collectInputs(card);
  for (const id of Object.keys(values)) {
    if (!inputs.some((input) => input["id"] === id)) {
      throw new Error(
        `The card has no input "${id}"; its inputs are: ${inputs.map((i) => String(i["id"])).join(", ") || "none"}.`,
      );
    }
  }
  const data = submit["data"];
  const result: Record<string, unknown> =
    typeof data === "object" && data !== null
      ? structuredClone(data as Record<string, unknown>)
      : {};
  for (const input of inputs) {
    const id = String(input["id"]);
    const value = Object.hasOwn(values, id) ? values[id] : input["value"];
    if (value === undefined || value === null || value === "") {
      if (input["isRequired"] === true) {
        throw new Error(
          `The input "${id}" is required: a Webex client does not submit the card without it.`,
        );
      }
      continue;
    }
    result[id] = typeof value === "string" ? value : String(value);
  }
  return result;
}

/** The Action.Submit pressed: the one titled `button`, or the card's only one. */
function findSubmit(card: AdaptiveCard, button: string | undefined): Record<string, unknown> {
  const submits: Record<string, unknown>[] = [];
  walk(card, (node) => {
    if (node["type"] === "Action.Submit") submits.push(node);
  });
  const titles = submits.map((s) => JSON.stringify(s["title"] ?? "")).join(", ");
  if (button !== undefined) {
    const pressed = submits.find((s) => s["title"] === button);
    if (pressed === undefined)
      throw new Error(
        `The card has no Action.Submit titled "${button}" (it has ${titles || "none"}).`,
      );
    return pressed;
  }
  const [only, ...others] = submits;
  if (only === undefined) throw new Error("The card has no Action.Submit to press.");
  if (others.length > 0)
    throw new Error(
      `The card has several Action.Submit buttons (${titles}): name one with \`button\`.`,
    );
  return only;
}

function collectInputs(card: AdaptiveCard): Record<string, unknown>[] {
  const inputs: Record<string, unknown>[] = [];
  walk(card, (node) => {
    if (typeof node["type"] === "string" && node["type"].startsWith("Input.")) inputs.push(node);
  });
  return inputs;
}

function walk(node: unknown, visit: (node: Record<string, unknown>) => void): void {
  if (Array.isArray(node)) {
    for (const item of node) walk(item, visit);
    return;
  }
  if (typeof node !== "object" || node === null) return;
  const record = node as Record<string, unknown>;
  visit(record);
  for (const [key, value] of Object.entries(record)) if (key !== "fallback") walk(value, visit);
}
