import type { RoomType } from "@sparkbot/core";
import { HttpError } from "../http/context.js";
import type { Router } from "../http/router.js";
import { parseFaultSpec } from "../faults.js";
import { publishMemberships, publishMessage, type EmulatorServices } from "../services.js";
import { composeMessage } from "../state/compose.js";

import { CONTROL_PREFIX } from "./prefix.js";
import { memberRoutes } from "./member-routes.js";
import { websocketControlRoutes } from "./websocket-routes.js";

export { CONTROL_PREFIX };

/** The control API tests and tools use to set the scene and look behind it (see README). */
export function controlRoutes(router: Router, services: EmulatorServices): void {
  const { store, faults, delivery } = services;

  router.on("POST", `${CONTROL_PREFIX}/people`, async (ctx) => {
    const body = await ctx.body();
    const { displayName, email, type, firstName, lastName } = body;
    if (typeof displayName !== "string" || displayName === "") {
      throw new HttpError(400, "displayName is required.");
    }
    if (typeof email !== "string" || !email.includes("@")) {
      throw new HttpError(400, "email is required.");
    }
    if (type !== undefined && type !== "person" && type !== "bot") {
      throw new HttpError(400, "type must be person or bot.");
    }
    const { person, token } = store.createPerson({
      displayName,
      email,
      type: type ?? "person",
      ...(typeof firstName === "string" ? { firstName } : {}),
      ...(typeof lastName === "string" ? { lastName } : {}),
    });
    ctx.json(200, { ...person, token });
  });

  router.on("GET", `${CONTROL_PREFIX}/people`, (ctx) => {
    ctx.json(200, { items: [...store.people.values()] });
  });

  router.on("POST", `${CONTROL_PREFIX}/rooms`, async (ctx) => {
    const body = await ctx.body();
    const { title, type, members, teamId } = body;
    if (typeof title !== "string") throw new HttpError(400, "title is required.");
    if (type !== "direct" && type !== "group") throw new HttpError(400, "type: direct or group.");
    if (!Array.isArray(members) || !members.every((m) => typeof m === "string")) {
      throw new HttpError(400, "members must be a list of person ids.");
    }
    const { room, memberships } = store.createRoom({
      title,
      type: type as RoomType,
      members: members as string[],
      ...(typeof teamId === "string" ? { teamId } : {}),
    });
    publishMemberships(services, memberships, room.creatorId ?? "");
    ctx.json(200, room);
  });

  router.on("GET", `${CONTROL_PREFIX}/rooms`, (ctx) => {
    const items = [...store.rooms.values()].map((room) => ({
      ...room,
      members: store.membersOf(room.id).map((person) => person.id),
    }));
    ctx.json(200, { items });
  });

  router.on("GET", `${CONTROL_PREFIX}/rooms/:roomId/messages`, (ctx) => {
    const roomId = ctx.param("roomId");
    if (!store.rooms.has(roomId))
      throw new HttpError(404, "Could not find a room with provided ID.");
    ctx.json(200, { items: store.roomMessages(roomId) });
  });

  router.on("POST", `${CONTROL_PREFIX}/messages`, async (ctx) => {
    const body = await ctx.body();
    const { personId, roomId, text, markdown, mentions, parentId } = body;
    if (typeof personId !== "string") throw new HttpError(400, "personId is required.");
    if (typeof roomId !== "string") throw new HttpError(400, "roomId is required.");
    if (typeof text !== "string" && typeof markdown !== "string") {
      throw new HttpError(400, "text is required.");
    }
    if (mentions !== undefined && !(Array.isArray(mentions) && mentions.every(isString))) {
      throw new HttpError(400, "mentions must be a list of person ids.");
    }
    const author = store.requirePerson(personId);
    const room = store.rooms.get(roomId);
    if (!room) throw new HttpError(404, "Could not find a room with provided ID.");
    if (!store.isMember(roomId, personId)) throw new HttpError(403, "The author is not a member.");
    const message = composeMessage(store, author, room, {
      ...(typeof text === "string" ? { text } : {}),
      ...(typeof markdown === "string" ? { markdown } : {}),
      ...(typeof parentId === "string" ? { parentId } : {}),
      ...(mentions ? { mentions: mentions as string[] } : {}),
    });
    publishMessage(services, message);
    ctx.json(200, message);
  });

  memberRoutes(router, services);
  websocketControlRoutes(router, services);

  router.on("POST", `${CONTROL_PREFIX}/teams`, async (ctx) => {
    const body = await ctx.body();
    const { name, members } = body;
    if (typeof name !== "string") throw new HttpError(400, "name is required.");
    if (!Array.isArray(members) || !members.every(isString)) {
      throw new HttpError(400, "members must be a list of person ids.");
    }
    ctx.json(200, store.createTeam(name, members as string[]).team);
  });

  router.on("GET", `${CONTROL_PREFIX}/webhooks`, (ctx) => {
    const items = [...store.webhooks.values()].map((r) => ({ ...r.webhook, ownerId: r.ownerId }));
    ctx.json(200, { items });
  });

  router.on("GET", `${CONTROL_PREFIX}/deliveries`, (ctx) => {
    const webhookId = ctx.query("webhookId");
    const items = store.deliveries.filter(
      (d) => webhookId === undefined || d.webhookId === webhookId,
    );
    ctx.json(200, { items });
  });

  router.on("POST", `${CONTROL_PREFIX}/deliveries/wait`, async (ctx) => {
    await delivery.idle();
    ctx.json(200, { items: store.deliveries });
  });

  router.on("POST", `${CONTROL_PREFIX}/faults`, async (ctx) => {
    const spec = parseFaultSpec(await ctx.body());
    if (typeof spec === "string") throw new HttpError(400, spec);
    faults.add(spec);
    ctx.empty(204);
  });

  router.on("GET", `${CONTROL_PREFIX}/faults`, (ctx) => ctx.json(200, { items: faults.list() }));

  router.on("DELETE", `${CONTROL_PREFIX}/faults`, (ctx) => {
    faults.clear();
    ctx.empty(204);
  });

  router.on("POST", `${CONTROL_PREFIX}/reset`, (ctx) => {
    store.reset();
    faults.clear();
    services.devices.clear();
    services.mercury.reset();
    Object.assign(services.rules, services.baseRules);
    ctx.empty(204);
  });
}

function isString(value: unknown): value is string {
  return typeof value === "string";
}
