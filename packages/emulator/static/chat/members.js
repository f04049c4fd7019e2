// The members of the current group room, and the controls that change them as the person you
// are: add someone (a bot too), remove a member, leave. Each change goes through the emulator's
// control API, so the bots hear it as Webex's memberships webhooks.
import { api, currentRoom, membersOf, personById, state } from "./state.js";
import { el } from "./view.js";

/** Adds `personId` to the current room, as you. */
function add(personId) {
  const room = currentRoom();
  return api(`rooms/${encodeURIComponent(room.id)}/members`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ personId, actorId: state.me.id }),
  });
}

/** Removes `personId` from the current room, as you (yourself: you leave). */
function remove(personId) {
  const room = currentRoom();
  const path = `rooms/${encodeURIComponent(room.id)}/members/${encodeURIComponent(personId)}`;
  return api(`${path}?actorId=${encodeURIComponent(state.me.id)}`, { method: "DELETE" });
}

/**
 * Renders the members panel into `panel` (hidden outside group rooms). `onError(message)` shows
 * a refused change; the page hears of accepted ones from the live stream.
 */
export function renderMembers(panel, onError) {
  const room = currentRoom();
  const group = Boolean(room && room.type === "group" && state.me);
  panel.hidden = !group;
  if (!group) return panel.replaceChildren();
  const members = membersOf(room);
  const run = (change) => change.catch((error) => onError(error.message));
  const list = el("ul", "member-list");
  for (const id of members) {
    const person = personById(id);
    const item = el("li", "member");
    item.dataset.personId = id;
    item.append(el("span", "member-name", person ? person.displayName : id));
    if (person && person.type === "bot") item.append(el("span", "bot-tag", "bot"));
    const button = el("button", "member-remove", id === state.me.id ? "Leave" : "Remove");
    button.type = "button";
    button.setAttribute(
      "aria-label",
      id === state.me.id ? "Leave this room" : `Remove ${person ? person.displayName : id}`,
    );
    button.addEventListener("click", () => run(remove(id)));
    item.append(button);
    list.append(item);
  }
  const others = state.people.filter((p) => !members.includes(p.id));
  const form = el("form", "member-add");
  const select = el("select", "member-candidates");
  select.setAttribute("aria-label", "Someone to add");
  for (const person of others) {
    const option = el(
      "option",
      "",
      `${person.displayName}${person.type === "bot" ? " (bot)" : ""}`,
    );
    option.value = person.id;
    select.append(option);
  }
  const addButton = el("button", "", "Add");
  addButton.type = "submit";
  addButton.disabled = others.length === 0;
  form.append(select, addButton);
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    if (select.value) void run(add(select.value));
  });
  panel.replaceChildren(el("h2", "section-title", "Members"), list, form);
}
