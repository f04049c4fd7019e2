import type { Room } from "@sparkbot/core";
import { authenticate } from "../http/auth.js";
import { HttpError } from "../http/context.js";
import { paginate } from "../http/paginate.js";
import type { Router } from "../http/router.js";
import { publishMemberships, type EmulatorServices } from "../services.js";

const NOT_FOUND = "Could not find a room with provided ID.";

/** `/v1/rooms`: list the caller's rooms, get one, create a group room, delete. */
export function roomRoutes(router: Router, services: EmulatorServices): void {
  const { store } = services;

  router.on("GET", "/v1/rooms", (ctx) => {
    const caller = authenticate(ctx, store);
    const type = ctx.query("type");
    const teamId = ctx.query("teamId");
    const rooms = [...store.rooms.values()]
      .filter((room) => store.isMember(room.id, caller.id))
      .filter((room) => type === undefined || room.type === type)
      .filter((room) => teamId === undefined || room.teamId === teamId)
      .reverse();
    sortRooms(rooms, ctx.query("sortBy"));
    const page = paginate(ctx, rooms);
    ctx.json(200, { items: page.items }, page.headers);
  });

  router.on("GET", "/v1/rooms/:id", (ctx) => {
    const caller = authenticate(ctx, store);
    const room = store.rooms.get(ctx.param("id"));
    if (!room || !store.isMember(room.id, caller.id)) throw new HttpError(404, NOT_FOUND);
    ctx.json(200, room);
  });

  router.on("POST", "/v1/rooms", async (ctx) => {
    const caller = authenticate(ctx, store);
    const body = await ctx.body();
    if (typeof body["title"] !== "string" || body["title"] === "") {
      throw new HttpError(400, "title is required.");
    }
    const teamId = typeof body["teamId"] === "string" ? body["teamId"] : undefined;
    const { room, memberships } = store.createRoom({
      title: body["title"],
      type: "group",
      members: [caller.id],
      ...(teamId ? { teamId } : {}),
    });
    publishMemberships(services, memberships, caller.id);
    ctx.json(200, room);
  });

  router.on("PUT", "/v1/rooms/:id", async (ctx) => {
    const caller = authenticate(ctx, store);
    const room = store.rooms.get(ctx.param("id"));
    if (!room || !store.isMember(room.id, caller.id)) throw new HttpError(404, NOT_FOUND);
    const body = await ctx.body();
    if (typeof body["title"] !== "string" || body["title"] === "") {
      throw new HttpError(400, "title is required.");
    }
    room.title = body["title"];
    if (typeof body["isLocked"] === "boolean") room.isLocked = body["isLocked"];
    ctx.json(200, room);
  });

  router.on("DELETE", "/v1/rooms/:id", (ctx) => {
    const caller = authenticate(ctx, store);
    const room = store.rooms.get(ctx.param("id"));
    if (!room || !store.isMember(room.id, caller.id)) throw new HttpError(404, NOT_FOUND);
    store.removeRoom(room.id);
    ctx.empty(204);
  });
}

/**
 * Webex's `sortBy`: `lastactivity` (most recent activity first), `created` (newest first) or
 * `id`; anything else is a 400. Without it rooms come newest first.
 */
function sortRooms(rooms: Room[], sortBy: string | undefined): void {
  if (sortBy === undefined) return;
  const key = (room: Room): string =>
    sortBy === "lastactivity" ? (room.lastActivity ?? room.created ?? "") : (room.created ?? "");
  if (sortBy === "id") rooms.sort((a, b) => a.id.localeCompare(b.id));
  else if (sortBy === "lastactivity" || sortBy === "created") {
    rooms.sort((a, b) => key(b).localeCompare(key(a)));
  } else throw new HttpError(400, "sortBy must be id, lastactivity or created.");
}
