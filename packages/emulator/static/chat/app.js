/* global document, window, EventSource, localStorage */
// The chat page: pick who you are, pick a room, talk to the bot. Data comes from /chat/api (the
// emulator's control API plus server-rendered markdown); live updates from /chat/events (SSE).
import {
  api,
  currentRoom,
  humans,
  membersOf,
  myRooms,
  personById,
  roomBots,
  roomLabel,
  state,
} from "./state.js";
import { renderDeliveries } from "./log.js";
import { renderMembers } from "./members.js";
import { changeItem, el, mentionToggle, messageItem, roomItem } from "./view.js";

const $ = (id) => document.getElementById(id);

function renderIdentity() {
  const select = $("identity");
  select.replaceChildren(
    ...humans().map((p) => {
      const option = el("option", "", p.displayName);
      option.value = p.id;
      option.title = p.emails[0] ?? "";
      option.selected = state.me !== null && p.id === state.me.id;
      return option;
    }),
  );
}

function renderRooms() {
  const rooms = myRooms();
  $("rooms").replaceChildren(
    ...rooms.map((room) =>
      roomItem(room, {
        label: roomLabel(room),
        active: room.id === state.roomId,
        unread: state.unread.get(room.id) ?? 0,
        onSelect: selectRoom,
      }),
    ),
  );
  $("rooms-empty").hidden = rooms.length > 0;
}

function renderHeader() {
  const room = currentRoom();
  $("room-title").textContent = room ? roomLabel(room) : "No room selected";
  if (!room) return void ($("room-meta").textContent = "");
  const names = membersOf(room)
    .map(personById)
    .filter(Boolean)
    .map((p) => p.displayName);
  $("room-meta").textContent =
    `${room.type === "group" ? "Group room" : "Direct room"} · ${names.join(", ")}`;
}

function renderMembersPanel() {
  $("members-error").hidden = true;
  renderMembers($("members"), (message) => {
    $("members-error").textContent = `Not changed: ${message}`;
    $("members-error").hidden = false;
  });
}

/** Submits a card as you: what a Webex client does when a card's Action.Submit is pressed. */
function submitCard(messageId, inputs) {
  return api("attachment-actions", {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ personId: state.me.id, messageId, inputs }),
  });
}

function renderMentionBar() {
  const room = currentRoom();
  const candidates = roomBots(room);
  $("mention-bar").hidden = candidates.length === 0;
  $("mention-options").replaceChildren(
    ...candidates.map((bot) => mentionToggle(bot, state.mentions.has(bot.id), toggleMention)),
  );
}

function toggleMention(botId) {
  if (state.mentions.has(botId)) state.mentions.delete(botId);
  else state.mentions.add(botId);
  renderMentionBar();
}

function messageNode(view) {
  return messageItem(view, {
    author: personById(view.message.personId),
    mine: state.me !== null && view.message.personId === state.me.id,
    onSelect: selectMessage,
    onSubmit: submitCard,
  });
}

/** Puts an item in the conversation in time order, and scrolls to it. */
function insertItem(key, at, node) {
  state.order.set(key, at);
  node.dataset.key = key;
  const list = $("messages");
  const later = [...list.children].find((li) => (state.order.get(li.dataset.key) ?? "") > at);
  list.insertBefore(node, later ?? null);
  node.scrollIntoView({ block: "end" });
}

/** Adds a message to the conversation once. */
function addMessage(view) {
  if (state.messages.has(view.message.id)) return;
  state.messages.set(view.message.id, view);
  insertItem(`message:${view.message.id}`, view.message.created, messageNode(view));
}

/** Adds a change of the room's members (someone joined, left, was added or removed) once. */
function addChange(change) {
  const key = `change:${change.id}`;
  if (state.order.has(key)) return;
  const node = changeItem(change, {
    person: personById(change.personId),
    actor: personById(change.actorId),
  });
  insertItem(key, change.at, node);
}

function selectMessage(messageId) {
  state.selectedMessageId = state.selectedMessageId === messageId ? null : messageId;
  renderDeliveries();
  const first = document.querySelector(".delivery-highlighted");
  if (first) first.scrollIntoView({ block: "nearest" });
}

async function selectRoom(roomId) {
  state.roomId = roomId;
  state.unread.delete(roomId);
  state.messages.clear();
  state.order.clear();
  state.selectedMessageId = null;
  const room = currentRoom();
  state.mentions = new Set(
    roomBots(room)
      .slice(0, 1)
      .map((b) => b.id),
  ); // the first bot, on
  $("messages").replaceChildren();
  renderRooms();
  renderHeader();
  renderMembersPanel();
  renderMentionBar();
  renderDeliveries();
  if (!room) return;
  const { items, changes } = await api(`rooms/${encodeURIComponent(roomId)}/messages`);
  if (state.roomId !== roomId) return;
  for (const view of items) addMessage(view);
  for (const change of changes ?? []) addChange(change);
  renderDeliveries();
}

/** Adds the current room's messages the page has not seen (after a reconnect). */
async function catchUp() {
  const roomId = state.roomId;
  if (!roomId) return;
  const [{ items, changes }, deliveries] = await Promise.all([
    api(`rooms/${encodeURIComponent(roomId)}/messages`),
    api("deliveries"),
  ]);
  if (state.roomId !== roomId) return;
  for (const view of items) addMessage(view);
  for (const change of changes ?? []) addChange(change);
  state.deliveries = deliveries.items;
  renderDeliveries();
}

function selectIdentity(personId) {
  state.me = personById(personId) ?? null;
  if (state.me) localStorage.setItem("sparkbot-chat-me", personId);
  renderIdentity();
  const rooms = myRooms();
  const keep = rooms.some((r) => r.id === state.roomId);
  void selectRoom(keep ? state.roomId : (rooms[0]?.id ?? null));
}

async function loadState() {
  const [{ people, rooms }, { items }] = await Promise.all([api("state"), api("deliveries")]);
  state.people = people;
  state.rooms = rooms;
  state.deliveries = items;
  const remembered = localStorage.getItem("sparkbot-chat-me");
  const me = humans().find((p) => p.id === remembered) ?? humans()[0] ?? null;
  selectIdentity(me ? me.id : null);
}

async function send(event) {
  event.preventDefault();
  const textarea = $("text");
  const text = textarea.value.trim();
  const room = currentRoom();
  if (text === "" || !room || !state.me) return;
  const mentions = room.type === "group" ? [...state.mentions] : [];
  $("send").disabled = true;
  $("composer-error").hidden = true;
  try {
    const view = await api("messages", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ personId: state.me.id, roomId: room.id, text, mentions }),
    });
    textarea.value = "";
    autosize();
    if (view.message) addMessage(view);
  } catch (error) {
    $("composer-error").textContent = `Not sent: ${error.message}`;
    $("composer-error").hidden = false;
  } finally {
    $("send").disabled = false;
    textarea.focus();
  }
}

function autosize() {
  const textarea = $("text");
  textarea.style.height = "auto";
  textarea.style.height = `${Math.min(textarea.scrollHeight, 200)}px`;
}

function connect() {
  const source = new EventSource("/chat/events");
  const status = $("connection");
  source.addEventListener("open", () => {
    status.textContent = "live";
    status.dataset.state = "live";
    void catchUp(); // what was said while the stream was down
  });
  source.addEventListener("error", () => {
    status.textContent = "reconnecting…";
    status.dataset.state = "down";
  });
  source.addEventListener("message", (event) => {
    const view = JSON.parse(event.data);
    if (view.message.roomId === state.roomId) {
      addMessage(view);
      renderDeliveries();
    } else {
      state.unread.set(view.message.roomId, (state.unread.get(view.message.roomId) ?? 0) + 1);
      if (!state.rooms.some((r) => r.id === view.message.roomId)) void refreshRooms();
      renderRooms();
    }
  });
  source.addEventListener("rooms", () => void refreshRooms().catch(() => undefined));
  source.addEventListener("membership", (event) => {
    const change = JSON.parse(event.data);
    if (change.roomId === state.roomId) addChange(change);
  });
  source.addEventListener("delivery", (event) => {
    state.deliveries.push(JSON.parse(event.data));
    if (state.deliveries.length > 500) state.deliveries.shift();
    renderDeliveries();
  });
}

/** Reloads people and rooms (a room was created or joined); selects a room if none was. */
async function refreshRooms() {
  const { people, rooms } = await api("state");
  state.people = people;
  state.rooms = rooms;
  if (!state.me && humans().length > 0) return selectIdentity(humans()[0].id);
  renderIdentity();
  renderRooms();
  renderHeader();
  renderMembersPanel();
  renderMentionBar();
  if (!state.roomId && myRooms().length > 0) void selectRoom(myRooms()[0].id);
}

function start() {
  $("identity").addEventListener("change", (event) => selectIdentity(event.target.value));
  $("composer").addEventListener("submit", send);
  $("text").addEventListener("input", autosize);
  $("text").addEventListener("keydown", (event) => {
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      $("composer").requestSubmit();
    }
  });
  window.addEventListener("focus", () => void refreshRooms().catch(() => undefined));
  loadState()
    .then(connect)
    .catch((error) => {
      $("connection").textContent = `error: ${error.message}`;
      $("connection").dataset.state = "down";
    });
}

start();
