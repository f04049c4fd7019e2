import { submittedInputs } from "@sparkbot/core/testing";
import { cardOf } from "@sparkbot/core";
import { HttpError } from "../http/context.js";
import type { Router } from "../http/router.js";
import { submitAttachmentAction } from "../routes/attachment-actions.js";
import { addMember, removeMember, type EmulatorServices } from "../services.js";
import { parseRules } from "../state/card-rules.js";
import { CONTROL_PREFIX } from "./prefix.js";

/**
 * The control routes for cards, members and rules: submit a card as someone (pressing a named
 * button like a Webex client), add or remove people and bots from rooms, read a room's
 * membership changes, and read or change the `WebexRules`.
 */
export function memberRoutes(router: Router, services: EmulatorServices): void {
  const { store } = services;

  router.on("POST", `${CONTROL_PREFIX}/attachment-actions`, async (ctx) => {
    const body = await ctx.body();
    if (typeof body["personId"] !== "string") throw new HttpError(400, "personId is required.");
    const person = store.requirePerson(body["personId"]);
    const button = body["button"];
    if (button === undefined) return ctx.json(200, submitAttachmentAction(services, person, body));
    if (typeof button !== "string") throw new HttpError(400, "button must be a button's title.");
    const message = store.messages.get(String(body["messageId"]));
    const card = message === undefined ? undefined : cardOf(message);
    if (card === undefined) throw new HttpError(400, "The message has no card to submit.");
    const values = body["inputs"] ?? {};
    if (typeof values !== "object" || values === null || Array.isArray(values)) {
      throw new HttpError(400, "inputs must be an object.");
    }
    let inputs: Record<string, unknown>;
    try {
      inputs = submittedInputs(card, values as Record<string, unknown>, button);
    } catch (error) {
      throw new HttpError(400, error instanceof Error ? error.message : String(error));
    }
    ctx.json(200, submitAttachmentAction(services, person, { ...body, inputs }));
  });

  router.on("POST", `${CONTROL_PREFIX}/rooms/:roomId/members`, async (ctx) => {
    const body = await ctx.body();
    const roomId = ctx.param("roomId");
    const { personId, actorId } = body;
    if (typeof personId !== "string") throw new HttpError(400, "personId is required.");
    if (actorId !== undefined && typeof actorId !== "string") {
      throw new HttpError(400, "actorId must be a person id.");
    }
    const room = store.rooms.get(roomId);
    if (!room) throw new HttpError(404, "Could not find a room with provided ID.");
    const actor = actorId ?? room.creatorId ?? personId;
    store.requirePerson(actor, "actor");
    if (actor !== personId && !store.isMember(roomId, actor)) {
      throw new HttpError(403, "The actor is not a member of the room.");
    }
    ctx.json(200, addMember(services, roomId, personId, actor));
  });

  router.on("DELETE", `${CONTROL_PREFIX}/rooms/:roomId/members/:personId`, (ctx) => {
    const roomId = ctx.param("roomId");
    const personId = ctx.param("personId");
    const membership = [...store.memberships.values()].find(
      (m) => m.roomId === roomId && m.personId === personId,
    );
    if (!membership) throw new HttpError(404, "That person is not a member of the room.");
    const actor = ctx.query("actorId") ?? personId;
    store.requirePerson(actor, "actor");
    if (actor !== personId && !store.isMember(roomId, actor)) {
      throw new HttpError(403, "The actor is not a member of the room.");
    }
    removeMember(services, membership, actor);
    ctx.empty(204);
  });

  router.on("GET", `${CONTROL_PREFIX}/rooms/:roomId/membership-changes`, (ctx) => {
    const roomId = ctx.param("roomId");
    ctx.json(200, { items: store.membershipChanges.filter((c) => c.membership.roomId === roomId) });
  });

  router.on("GET", `${CONTROL_PREFIX}/rules`, (ctx) => ctx.json(200, services.rules));

  router.on("PUT", `${CONTROL_PREFIX}/rules`, async (ctx) => {
    const rules = parseRules(await ctx.body());
    if (typeof rules === "string") throw new HttpError(400, rules);
    Object.assign(services.rules, rules);
    ctx.json(200, services.rules);
  });
}
