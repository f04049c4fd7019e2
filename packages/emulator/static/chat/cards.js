/* global window */
// Adaptive Cards on the chat page, rendered by Microsoft's renderer (the `adaptivecards` npm
// package, loaded by index.html as /chat/assets/adaptivecards.js: it sets window.AdaptiveCards).
// It builds elements and sets styles through the DOM, never inline HTML or <style>, so the
// page's strict Content-Security-Policy holds. Markdown in a card's text is formatted here, with
// everything from the card escaped first.

export const CARD_CONTENT_TYPE = "application/vnd.microsoft.card.adaptive";

/** The Adaptive Card of a message (its first card attachment), or undefined. */
export function cardOf(message) {
  const attachments = Array.isArray(message.attachments) ? message.attachments : [];
  const found = attachments.find((a) => a && a.contentType === CARD_CONTENT_TYPE);
  return found && typeof found.content === "object" ? found.content : undefined;
}

function escapeHtml(text) {
  return String(text)
    .replaceAll("&", "&amp;")
    .replaceAll("<", "&lt;")
    .replaceAll(">", "&gt;")
    .replaceAll('"', "&quot;")
    .replaceAll("'", "&#39;");
}

/**
 * The markdown Adaptive Cards allows in TextBlocks (bold, italic, links, line breaks), as HTML
 * with everything else escaped; links only to http(s), opened in a new tab.
 */
export function cardMarkdown(text) {
  return escapeHtml(text)
    .replace(/\*\*([^*]+)\*\*/g, "<strong>$1</strong>")
    .replace(/(^|[^*\w])_([^_]+)_(?!\w)/g, "$1<em>$2</em>")
    .replace(/(^|[^*])\*([^*]+)\*(?!\*)/g, "$1<em>$2</em>")
    .replace(
      /\[([^\]]+)\]\((https?:\/\/[^\s)]+)\)/g,
      '<a href="$2" target="_blank" rel="noopener noreferrer">$1</a>',
    )
    .replace(/\n/g, "<br>");
}

let configured = false;

function renderer() {
  const AC = window.AdaptiveCards;
  if (!AC) return undefined;
  if (!configured) {
    configured = true;
    AC.AdaptiveCard.onProcessMarkdown = (text, result) => {
      result.outputHtml = cardMarkdown(text);
      result.didProcess = true;
    };
  }
  return AC;
}

function hostConfig(AC) {
  return new AC.HostConfig({
    fontFamily: "inherit",
    supportsInteractivity: true,
    spacing: { small: 4, default: 8, medium: 16, large: 24, extraLarge: 32, padding: 12 },
    actions: {
      maxActions: 5,
      spacing: "default",
      buttonSpacing: 8,
      showCard: { actionMode: "inline", inlineTopMargin: 12 },
      actionsOrientation: "horizontal",
      actionAlignment: "left",
    },
    inputs: { label: { requiredInputs: { suffix: " *" } } },
  });
}

/**
 * Renders a card into an element. `onSubmit(data)` gets an Action.Submit's data (its own
 * `data` merged with the inputs' values, as Webex clients send it), once the renderer has
 * checked the inputs (required ones, regexes). Action.OpenUrl opens http(s) links in a new tab.
 * Returns undefined when the renderer is not there or the card cannot be rendered.
 */
export function renderCard(content, { onSubmit }) {
  const AC = renderer();
  if (!AC) return undefined;
  const card = new AC.AdaptiveCard();
  card.hostConfig = hostConfig(AC);
  card.onExecuteAction = (action) => {
    if (action instanceof AC.SubmitAction) onSubmit(action.data ?? {});
    else if (action instanceof AC.OpenUrlAction && /^https?:\/\//i.test(action.url ?? "")) {
      window.open(action.url, "_blank", "noopener,noreferrer");
    }
  };
  try {
    card.parse(content);
    return card.render();
  } catch {
    return undefined;
  }
}
