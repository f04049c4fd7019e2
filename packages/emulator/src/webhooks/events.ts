import type { AttachmentAction, Membership, Message } from "@sparkbot/core";
import type { EmulatorStore } from "../state/store.js";
import type { EmulatorEvent } from "./matching.js";

/** `messages/created` for a stored message: the envelope's data carries ids, never the text. */
export function messageCreated(store: EmulatorStore, message: Message): EmulatorEvent {
  const data: Record<string, unknown> = {
    id: message.id,
    roomId: message.roomId,
    roomType: message.roomType,
    personId: message.personId,
    personEmail: message.personEmail,
  };
  if (message.parentId) data["parentId"] = message.parentId;
  if (message.mentionedPeople) data["mentionedPeople"] = message.mentionedPeople;
  if (message.files) data["files"] = message.files;
  data["created"] = message.created;
  return {
    resource: "messages",
    event: "created",
    actorId: message.personId,
    data,
    visibleTo: (owner) => store.isMember(message.roomId, owner.id),
  };
}

/** `messages/deleted` for a removed message. */
export function messageDeleted(
  store: EmulatorStore,
  message: Message,
  actorId: string,
): EmulatorEvent {
  return {
    ...messageCreated(store, message),
    event: "deleted",
    actorId,
  };
}

/** `memberships/created` for a person added to a room. */
export function membershipCreated(
  store: EmulatorStore,
  membership: Membership,
  actorId: string,
): EmulatorEvent {
  return {
    resource: "memberships",
    event: "created",
    actorId,
    data: { ...membership },
    visibleTo: (owner) => store.isMember(membership.roomId, owner.id),
  };
}

/** `memberships/deleted`: seen by the room's members and by the person who left. */
export function membershipDeleted(
  store: EmulatorStore,
  membership: Membership,
  actorId: string,
): EmulatorEvent {
  return {
    ...membershipCreated(store, membership, actorId),
    event: "deleted",
    visibleTo: (owner) =>
      owner.id === membership.personId || store.isMember(membership.roomId, owner.id),
  };
}

/**
 * `attachmentActions/created` for a card submitted on a message: seen by the card's author.
 * Its `data` is the action without `inputs`, which Webex never puts in a webhook (the bot
 * fetches the action).
 */
export function attachmentActionCreated(
  store: EmulatorStore,
  action: AttachmentAction,
): EmulatorEvent {
  const cardAuthor = store.messages.get(action.messageId)?.personId;
  const { inputs: _inputs, ...data } = action;
  return {
    resource: "attachmentActions",
    event: "created",
    actorId: action.personId,
    data,
    visibleTo: (owner) => owner.id === cardAuthor,
  };
}
