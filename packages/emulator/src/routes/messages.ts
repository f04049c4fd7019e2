import type { Message, Person, Room } from "@sparkbot/core";
import { authenticate } from "../http/auth.js";
import { HttpError, type RequestContext } from "../http/context.js";
import { paginate } from "../http/paginate.js";
import type { Router } from "../http/router.js";
import { publishMessage, type EmulatorServices } from "../services.js";
import { composeMessage } from "../state/compose.js";
import type { EmulatorStore } from "../state/store.js";
import { messageDeleted } from "../webhooks/events.js";

const NOT_FOUND = "Could not find a room with provided ID.";

/** `/v1/messages`: create, get, list by room, delete. */
export function messageRoutes(router: Router, services: EmulatorServices): void {
  const { store } = services;

  router.on("POST", "/v1/messages", async (ctx) => {
    const author = authenticate(ctx, store);
    const body = await ctx.body();
    const room = targetRoom(store, author, body);
    const message = composeMessage(store, author, room, {
      ...optionalString(body, "text"),
      ...optionalString(body, "markdown"),
      ...optionalString(body, "parentId"),
      ...(Array.isArray(body["files"]) ? { files: body["files"].map(String) } : {}),
      ...(Array.isArray(body["attachments"]) ? { attachments: body["attachments"] } : {}),
    });
    if (!message.text && !message.markdown && !message.files && !message.attachments) {
      throw new HttpError(400, "Message must contain text, markdown, files or attachments.");
    }
    if (message.parentId && !store.messages.has(message.parentId)) {
      throw new HttpError(400, "Invalid parentId.");
    }
    publishMessage(services, message);
    ctx.json(200, message);
  });

  router.on("GET", "/v1/messages", (ctx) => {
    const caller = authenticate(ctx, store);
    const roomId = ctx.query("roomId");
    if (roomId === undefined) throw new HttpError(400, "roomId is required.");
    const room = store.rooms.get(roomId);
    if (!room || !store.isMember(roomId, caller.id)) throw new HttpError(404, NOT_FOUND);
    const items = listMessages(ctx, store, caller, room);
    const page = paginate(ctx, items, 50, ctx.query("mentionedPeople") ? 100 : 1000);
    ctx.json(200, { items: page.items }, page.headers);
  });

  // Registered before `/v1/messages/:id`, which would otherwise take "direct" for an id.
  router.on("GET", "/v1/messages/direct", (ctx) => {
    const caller = authenticate(ctx, store);
    const personId = ctx.query("personId");
    const personEmail = ctx.query("personEmail");
    const other = personId
      ? store.personById(personId)
      : personEmail
        ? store.personByEmail(personEmail)
        : undefined;
    if (!personId && !personEmail) throw new HttpError(400, "personId or personEmail is required.");
    if (!other) throw new HttpError(404, "Person not found.");
    const room = [...store.rooms.values()].find(
      (r) =>
        r.type === "direct" && store.isMember(r.id, caller.id) && store.isMember(r.id, other.id),
    );
    const items = room ? store.roomMessages(room.id).reverse() : [];
    const page = paginate(ctx, items, 50);
    ctx.json(200, { items: page.items }, page.headers);
  });

  router.on("GET", "/v1/messages/:id", (ctx) => {
    const caller = authenticate(ctx, store);
    ctx.json(200, visibleMessage(store, caller, ctx.param("id")));
  });

  router.on("DELETE", "/v1/messages/:id", (ctx) => {
    const caller = authenticate(ctx, store);
    const message = visibleMessage(store, caller, ctx.param("id"));
    if (message.personId !== caller.id) {
      throw new HttpError(403, "You can only delete your own messages.");
    }
    store.removeMessage(message.id);
    services.delivery.dispatch(messageDeleted(store, message, caller.id));
    ctx.empty(204);
  });
}

/** The room a new message goes to: `roomId`, or the direct room with `toPersonId`/`toPersonEmail`. */
function targetRoom(store: EmulatorStore, author: Person, body: Record<string, unknown>): Room {
  const { roomId, toPersonId, toPersonEmail } = body;
  if (typeof roomId === "string") {
    const room = store.rooms.get(roomId);
    if (!room || !store.isMember(roomId, author.id)) throw new HttpError(404, NOT_FOUND);
    return room;
  }
  let other: Person | undefined;
  if (typeof toPersonId === "string") other = store.people.get(toPersonId);
  else if (typeof toPersonEmail === "string") other = store.personByEmail(toPersonEmail);
  else throw new HttpError(400, "roomId, toPersonId or toPersonEmail is required.");
  if (!other) throw new HttpError(404, "Person not found.");
  if (other.id === author.id) throw new HttpError(400, "Cannot send a message to yourself.");
  return store.directRoom(author, other);
}

/**
 * A room's messages, newest first, as Webex lists them. A bot in a group room must ask for
 * `mentionedPeople=me` (Webex refuses with 403 otherwise) and sees only messages mentioning it.
 */
function listMessages(
  ctx: RequestContext,
  store: EmulatorStore,
  caller: Person,
  room: Room,
): Message[] {
  const mentioned = ctx.query("mentionedPeople");
  const mentionedId = mentioned === "me" ? caller.id : mentioned;
  if (caller.type === "bot" && room.type === "group" && mentionedId !== caller.id) {
    throw new HttpError(
      403,
      "Bots must include mentionedPeople=me to list messages in group rooms (spaces).",
    );
  }
  if (mentionedId !== undefined && mentionedId !== caller.id) {
    throw new HttpError(400, "Only 'me' or your own person id may be used in mentionedPeople.");
  }
  const parentId = ctx.query("parentId");
  const before = ctx.query("before");
  const beforeMessage = ctx.query("beforeMessage");
  const newestFirst = store
    .roomMessages(room.id)
    .filter((m) => mentionedId === undefined || (m.mentionedPeople ?? []).includes(mentionedId))
    .filter((m) => parentId === undefined || m.parentId === parentId)
    .filter((m) => before === undefined || m.created < before)
    .reverse();
  if (beforeMessage === undefined) return newestFirst;
  // Strictly older than that message: by position, since several may share one millisecond.
  const all = store.roomMessages(room.id);
  const position = all.findIndex((m) => m.id === beforeMessage);
  if (position < 0) throw new HttpError(400, "beforeMessage is not a message of this room.");
  const older = new Set(all.slice(0, position).map((m) => m.id));
  return newestFirst.filter((m) => older.has(m.id));
}

/** A message the caller may see (a member of its room), or Webex's 404. */
function visibleMessage(store: EmulatorStore, caller: Person, id: string): Message {
  const message = store.messages.get(id);
  if (!message || !store.isMember(message.roomId, caller.id)) {
    throw new HttpError(404, "Failed to get activity.");
  }
  return message;
}

function optionalString(body: Record<string, unknown>, key: string): Record<string, string> {
  const value = body[key];
  return typeof value === "string" ? { [key]: value } : {};
}
