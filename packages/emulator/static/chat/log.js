/* global document */
// The webhook log beside the conversation: every delivery of the current room's events (its
// messages, card submissions, membership changes), what it was about, status and raw JSON.
import { personById, state } from "./state.js";
import { deliveryItem } from "./view.js";

const $ = (id) => document.getElementById(id);

function subjectOf(delivery) {
  const data = delivery.body && typeof delivery.body === "object" ? delivery.body.data || {} : {};
  const name = (id) => (personById(id) || { displayName: "?" }).displayName;
  if (delivery.resource === "attachmentActions") return `${name(data.personId)} submitted a card`;
  if (delivery.resource === "memberships") {
    const actor = delivery.body.actorId;
    const verb = delivery.event === "deleted" ? "left" : "joined";
    const by = actor && actor !== data.personId ? ` (by ${name(actor)})` : "";
    return `${name(data.personId)} ${verb}${by}`;
  }
  const view = delivery.messageId ? state.messages.get(delivery.messageId) : undefined;
  if (!view) return delivery.messageId ? `message ${delivery.messageId.slice(-8)}` : "";
  const author = personById(view.message.personId);
  const text = (view.message.text ?? "").replace(/\s+/g, " ").slice(0, 60);
  return `${author ? author.displayName : "?"}: “${text}”`;
}

export function renderDeliveries() {
  const items = state.deliveries.filter((d) => d.roomId === state.roomId).reverse();
  $("deliveries").replaceChildren(
    ...items.map((d) =>
      deliveryItem(d, {
        subject: subjectOf(d),
        highlighted: state.selectedMessageId !== null && d.messageId === state.selectedMessageId,
        open: state.openDeliveries.has(d.id),
        onToggle: toggleDelivery,
      }),
    ),
  );
  $("deliveries-empty").hidden = items.length > 0;
}

function toggleDelivery(id, open) {
  if (open) state.openDeliveries.add(id);
  else state.openDeliveries.delete(id);
}
