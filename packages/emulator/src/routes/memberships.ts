import type { Membership, Person } from "@sparkbot/core";
import { authenticate } from "../http/auth.js";
import { HttpError } from "../http/context.js";
import { paginate } from "../http/paginate.js";
import type { Router } from "../http/router.js";
import { addMember, removeMember, type EmulatorServices } from "../services.js";
import type { EmulatorStore } from "../state/store.js";

/** `/v1/memberships` (list, create, delete) and `/v1/team/memberships?teamId=`. */
export function membershipRoutes(router: Router, services: EmulatorServices): void {
  const { store } = services;

  router.on("GET", "/v1/memberships", (ctx) => {
    const caller = authenticate(ctx, store);
    const roomId = ctx.query("roomId");
    const personId = ctx.query("personId");
    const personEmail = ctx.query("personEmail")?.toLowerCase();
    if (roomId !== undefined && !store.isMember(roomId, caller.id)) {
      throw new HttpError(404, "Could not find a room with provided ID.");
    }
    const items = [...store.memberships.values()]
      .filter((m) => (roomId === undefined ? m.personId === caller.id : m.roomId === roomId))
      .filter((m) => personId === undefined || m.personId === personId)
      .filter((m) => personEmail === undefined || m.personEmail === personEmail);
    const page = paginate(ctx, items);
    ctx.json(200, { items: page.items }, page.headers);
  });

  router.on("POST", "/v1/memberships", async (ctx) => {
    const caller = authenticate(ctx, store);
    const body = await ctx.body();
    const roomId = typeof body["roomId"] === "string" ? body["roomId"] : "";
    const room = store.rooms.get(roomId);
    if (!room || !store.isMember(roomId, caller.id)) {
      throw new HttpError(404, "Could not find a room with provided ID.");
    }
    let person: Person | undefined;
    if (typeof body["personId"] === "string") person = store.people.get(body["personId"]);
    else if (typeof body["personEmail"] === "string") {
      person = store.personByEmail(body["personEmail"]);
    }
    if (!person) throw new HttpError(404, "Person not found.");
    ctx.json(200, addMember(services, roomId, person.id, caller.id, body["isModerator"] === true));
  });

  router.on("GET", "/v1/memberships/:id", (ctx) => {
    const caller = authenticate(ctx, store);
    ctx.json(200, visibleMembership(store, caller.id, ctx.param("id")));
  });

  router.on("PUT", "/v1/memberships/:id", async (ctx) => {
    const caller = authenticate(ctx, store);
    const membership = visibleMembership(store, caller.id, ctx.param("id"));
    const body = await ctx.body();
    if (typeof body["isModerator"] === "boolean") membership.isModerator = body["isModerator"];
    if (typeof body["isRoomHidden"] === "boolean")
      membership["isRoomHidden"] = body["isRoomHidden"];
    ctx.json(200, membership);
  });

  router.on("DELETE", "/v1/memberships/:id", (ctx) => {
    const caller = authenticate(ctx, store);
    const membership = visibleMembership(store, caller.id, ctx.param("id"));
    removeMember(services, membership, caller.id);
    ctx.empty(204);
  });

  router.on("GET", "/v1/teams/:id", (ctx) => {
    authenticate(ctx, store);
    const team = store.teams.get(ctx.param("id"));
    if (!team) throw new HttpError(404, "Could not find a team with provided ID.");
    ctx.json(200, team);
  });

  router.on("GET", "/v1/team/memberships", (ctx) => {
    authenticate(ctx, store);
    const teamId = ctx.query("teamId");
    if (teamId === undefined) throw new HttpError(400, "teamId is required.");
    if (!store.teams.has(teamId))
      throw new HttpError(404, "Could not find a team with provided ID.");
    const items = [...store.teamMemberships.values()].filter((m) => m.teamId === teamId);
    const page = paginate(ctx, items);
    ctx.json(200, { items: page.items }, page.headers);
  });
}

/** A membership of a room the caller is in, or a 404. */
function visibleMembership(store: EmulatorStore, callerId: string, id: string): Membership {
  const membership = store.memberships.get(id);
  if (!membership || !store.isMember(membership.roomId, callerId)) {
    throw new HttpError(404, "Membership not found.");
  }
  return membership;
}
