/* global document */
// DOM builders of the chat page. Names, titles and JSON are set with textContent; the only HTML
// inserted is a message's `html`, which the server rendered from markdown with everything that
// came from the message escaped, and a card's, rendered by cards.js.
import { cardOf, renderCard } from "./cards.js";

/** Creates an element with a class and optional text. */
export function el(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

/** Up to two initials of a display name. */
export function initials(name) {
  const parts = String(name || "?")
    .trim()
    .split(/\s+/)
    .slice(0, 2);
  return parts.map((p) => p.charAt(0).toUpperCase()).join("") || "?";
}

/** A short local time (and date when not today) for an ISO timestamp. */
export function formatTime(iso) {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return "";
  const time = date.toLocaleTimeString([], {
    hour: "2-digit",
    minute: "2-digit",
    second: "2-digit",
  });
  const today = new Date().toDateString() === date.toDateString();
  return today ? time : `${date.toLocaleDateString()} ${time}`;
}

/** A stable hue for a person, so each author keeps one avatar colour. */
function hueOf(id) {
  let hash = 0;
  for (const char of String(id)) hash = (hash * 31 + char.charCodeAt(0)) >>> 0;
  return hash % 360;
}

/** The avatar circle of a person. */
export function avatar(person, id) {
  const node = el("span", "avatar", initials(person ? person.displayName : "?"));
  node.setAttribute("aria-hidden", "true");
  node.style.setProperty("--hue", String(hueOf(id)));
  if (person && person.type === "bot") node.classList.add("avatar-bot");
  return node;
}

/** One entry of the room list. */
export function roomItem(room, { label, active, unread, onSelect }) {
  const item = el("li");
  const button = el("button", "room");
  button.type = "button";
  button.dataset.roomId = room.id;
  if (active) button.setAttribute("aria-current", "true");
  const icon = el("span", `room-icon room-icon-${room.type}`, room.type === "group" ? "#" : "@");
  icon.setAttribute("aria-hidden", "true");
  const text = el("span", "room-text");
  text.append(el("span", "room-title", label), el("span", "room-kind", room.type));
  button.append(icon, text);
  if (unread > 0) {
    const badge = el("span", "badge", String(unread));
    badge.setAttribute("aria-label", `${unread} new`);
    button.append(badge);
  }
  button.addEventListener("click", () => onSelect(room.id));
  item.append(button);
  return item;
}

/** One message of the conversation; a card is rendered, its fallback text shown only without it. */
export function messageItem(view, { author, mine, onSelect, onSubmit }) {
  const message = view.message;
  const item = el("li", "message");
  item.dataset.messageId = message.id;
  if (mine) item.classList.add("message-mine");
  if (author && author.type === "bot") item.classList.add("message-bot");
  item.append(avatar(author, message.personId));

  const bubble = el("div", "bubble");
  const meta = el("div", "message-meta");
  const name = el("span", "author", author ? author.displayName : message.personEmail);
  if (author && author.type === "bot") name.append(el("span", "bot-tag", "bot"));
  const time = el("time", "time", formatTime(message.created));
  time.dateTime = message.created;
  const logButton = el("button", "log-link", "log");
  logButton.type = "button";
  logButton.title = "Highlight this message's webhook deliveries";
  logButton.setAttribute("aria-label", "Highlight this message's webhook deliveries");
  logButton.addEventListener("click", () => onSelect(message.id));
  meta.append(name, time, logButton);

  const body = el("div", "message-body markdown");
  body.innerHTML = view.html; // rendered and escaped by the server
  bubble.append(meta);
  const content = cardOf(message);
  if (content) bubble.append(cardBlock(content, body, (data) => onSubmit(message.id, data)));
  else bubble.append(body);

  item.append(bubble);
  return item;
}

/** A rendered card with its status line; the fallback text when the card cannot be rendered. */
function cardBlock(content, fallback, onSubmit) {
  const block = el("div", "card-block");
  const status = el("p", "card-status");
  status.setAttribute("role", "status");
  const rendered = renderCard(content, {
    onSubmit: (data) => {
      status.textContent = "Sending…";
      Promise.resolve(onSubmit(data)).then(
        () => (status.textContent = "Submitted"),
        (error) => (status.textContent = `Not submitted: ${error.message}`),
      );
    },
  });
  if (!rendered) {
    block.append(fallback, el("p", "card-status", "(This card could not be rendered.)"));
    return block;
  }
  const card = el("div", "card");
  card.append(rendered);
  block.append(card, status);
  return block;
}

/** A line of the conversation saying who joined or left, and who did it. */
export function changeItem(change, { person, actor }) {
  const item = el("li", "change");
  item.dataset.changeId = change.id;
  const name = person ? person.displayName : change.displayName;
  const by = actor && actor.id !== change.personId ? actor.displayName : undefined;
  const what =
    change.event === "created"
      ? by
        ? `${by} added ${name}`
        : `${name} joined`
      : by
        ? `${by} removed ${name}`
        : `${name} left`;
  const time = el("time", "time", formatTime(change.at));
  time.dateTime = change.at;
  item.append(el("span", "change-text", what), time);
  return item;
}

/** One delivery attempt in the side panel. */
export function deliveryItem(delivery, { subject, highlighted, open, onToggle }) {
  const item = el("li", "delivery");
  item.dataset.deliveryId = delivery.id;
  if (delivery.messageId) item.dataset.messageId = delivery.messageId;
  item.classList.add(delivery.ok ? "delivery-ok" : "delivery-failed");
  if (highlighted) item.classList.add("delivery-highlighted");

  const head = el("div", "delivery-head");
  const status = el(
    "span",
    "status-pill",
    delivery.status === null ? "failed" : String(delivery.status),
  );
  status.setAttribute(
    "aria-label",
    `HTTP status ${delivery.status === null ? "none" : delivery.status}`,
  );
  const latency = delivery.latencyMs === null ? "" : `${Math.round(delivery.latencyMs)} ms`;
  head.append(
    status,
    el("span", "delivery-event", `${delivery.resource}:${delivery.event}`),
    el("span", "delivery-latency", latency),
  );

  const target = el("div", "delivery-target", `POST ${delivery.target}`);
  target.title = delivery.target;
  const about = el("div", "delivery-subject", subject);
  const time = el("time", "delivery-time", formatTime(delivery.at));
  time.dateTime = delivery.at;
  item.append(head, target, about, time);
  if (delivery.error) item.append(el("div", "delivery-error", delivery.error));

  const details = el("details", "delivery-json");
  details.open = open;
  details.addEventListener("toggle", () => onToggle(delivery.id, details.open));
  details.append(el("summary", "", "Webhook JSON"));
  details.append(el("pre", "", JSON.stringify(delivery.body, null, 2)));
  item.append(details);
  return item;
}

/** A toggle button of the @mention picker. */
export function mentionToggle(person, pressed, onToggle) {
  const button = el("button", "mention-toggle", `@${person.displayName}`);
  button.type = "button";
  button.setAttribute("aria-pressed", pressed ? "true" : "false");
  button.addEventListener("click", () => onToggle(person.id));
  return button;
}
