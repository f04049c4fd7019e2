import type { AttachmentAction, Person } from "@sparkbot/core";
import { authenticate } from "../http/auth.js";
import { HttpError } from "../http/context.js";
import type { Router } from "../http/router.js";
import { webexId } from "../ids.js";
import type { EmulatorServices } from "../services.js";
import { attachmentActionCreated } from "../webhooks/events.js";

/** `/v1/attachment/actions`: submit a card (delivered to the card's author) and get one. */
export function attachmentActionRoutes(router: Router, services: EmulatorServices): void {
  const { store } = services;

  router.on("POST", "/v1/attachment/actions", async (ctx) => {
    const caller = authenticate(ctx, store);
    ctx.json(202, submitAttachmentAction(services, caller, await ctx.body()));
  });

  router.on("GET", "/v1/attachment/actions/:id", (ctx) => {
    const caller = authenticate(ctx, store);
    const action = store.attachmentActions.get(ctx.param("id"));
    const message = action ? store.messages.get(action.messageId) : undefined;
    const visible = action && (action.personId === caller.id || message?.personId === caller.id);
    if (!action || !visible) throw new HttpError(404, "Attachment action not found.");
    ctx.json(200, action);
  });
}

/**
 * Records a card submit by `person` on the message `body.messageId` (with `body.inputs`, as
 * the client built them: input values and the pressed Action.Submit's `data`) and delivers
 * `attachmentActions/created` to the card author's webhooks.
 */
export function submitAttachmentAction(
  services: EmulatorServices,
  person: Person,
  body: Record<string, unknown>,
): AttachmentAction {
  const { store } = services;
  const messageId = typeof body["messageId"] === "string" ? body["messageId"] : "";
  const message = store.messages.get(messageId);
  if (!message || !store.isMember(message.roomId, person.id)) {
    throw new HttpError(404, "Failed to get activity.");
  }
  const type = body["type"] ?? "submit";
  if (type !== "submit") throw new HttpError(400, 'type must be "submit".');
  if (!message.attachments || message.attachments.length === 0) {
    throw new HttpError(400, "The message has no card to submit.");
  }
  const inputs = body["inputs"] ?? {};
  if (typeof inputs !== "object" || inputs === null || Array.isArray(inputs)) {
    throw new HttpError(400, "inputs must be an object.");
  }
  const action: AttachmentAction = {
    id: webexId("ATTACHMENT_ACTION"),
    type,
    messageId,
    inputs: inputs as Record<string, unknown>,
    personId: person.id,
    roomId: message.roomId,
    created: store.isoNow(),
  };
  store.attachmentActions.set(action.id, action);
  services.events.emit("attachment-action", action);
  services.delivery.dispatch(attachmentActionCreated(store, action));
  return action;
}
