/* global window */
// The chat page's state and what it derives from it: who is who, which rooms are yours.

export const state = {
  people: [],
  rooms: [],
  me: null,
  roomId: null,
  messages: new Map(), // id -> view, current room
  order: new Map(), // conversation item key -> its time, current room
  deliveries: [], // every delivery seen, newest last
  unread: new Map(), // roomId -> count
  mentions: new Set(), // bot ids toggled on in the current group room
  selectedMessageId: null,
  openDeliveries: new Set(), // ids of deliveries whose JSON is unfolded
};

/** Calls the page's JSON API; a non-2xx answer throws with the server's message. */
export async function api(path, init) {
  const response = await window.fetch(`/chat/api/${path}`, init);
  const body = await response.json().catch(() => ({}));
  if (!response.ok) throw new Error(body.message || `HTTP ${response.status}`);
  return body;
}

export const personById = (id) => state.people.find((p) => p.id === id);
export const currentRoom = () => state.rooms.find((r) => r.id === state.roomId);
export const bots = () => state.people.filter((p) => p.type === "bot");
export const humans = () => state.people.filter((p) => p.type !== "bot");

/** Members of a room; when the emulator does not list them, everyone is assumed a member. */
export function membersOf(room) {
  return room.members.length > 0 ? room.members : state.people.map((p) => p.id);
}

/** The bots of a group room, whom the composer can @mention. */
export function roomBots(room) {
  if (!room || room.type !== "group") return [];
  return bots().filter((b) => membersOf(room).includes(b.id));
}

/** The rooms of the person you are. */
export function myRooms() {
  return state.rooms.filter((room) => !state.me || membersOf(room).includes(state.me.id));
}

/** A direct room is named after the other member, as Webex clients show it. */
export function roomLabel(room) {
  if (room.type !== "direct" || room.members.length === 0) return room.title;
  const other = room.members.map(personById).find((p) => p && (!state.me || p.id !== state.me.id));
  return other ? other.displayName : room.title;
}
