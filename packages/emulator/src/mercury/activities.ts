import { randomBytes, randomUUID } from "node:crypto";
import type { AttachmentAction, Membership, Message, Person, Room } from "@sparkbot/core";
import type { EmulatorStore } from "../state/store.js";
import { uuidOf } from "./devices.js";

/*
 * `conversation.activity` envelopes (protocol notes §7) for what happens in the emulator. Text
 * and card inputs are encrypted-looking JWE strings, as Webex sends them without KMS keys: a
 * client must fetch the message or the action over REST, like a webhook receiver.
 */

/** An activity and the people whose devices receive it. */
export interface AddressedActivity {
  activity: Record<string, unknown>;
  recipients: string[];
}

/** A random compact-JWE-shaped string (`header..iv.ciphertext.tag`); nothing can decrypt it. */
export function fakeJwe(): string {
  const header = Buffer.from(
    JSON.stringify({ alg: "dir", enc: "A256GCM", kid: `kms://kms-emulator/keys/${randomUUID()}` }),
  ).toString("base64url");
  const part = (n: number) => randomBytes(n).toString("base64url");
  return `${header}..${part(12)}.${part(48)}.${part(16)}`;
}

function actor(person: Person | undefined, personId: string): Record<string, unknown> {
  const uuid = uuidOf(personId);
  return {
    id: uuid,
    entryUUID: uuid,
    objectType: "person",
    type: person?.type === "bot" ? "ROBOT" : "PERSON",
    displayName: person?.displayName ?? "",
    emailAddress: person?.emails[0] ?? "",
    orgId: person ? uuidOf(person.orgId) : "",
  };
}

function target(room: Room | undefined, roomId: string, baseUrl: string): Record<string, unknown> {
  const uuid = uuidOf(roomId);
  return {
    id: uuid,
    objectType: "conversation",
    tags: room?.type === "direct" ? ["ONE_ON_ONE"] : [],
    url: `${baseUrl}/conversation/api/v1/conversations/${uuid}`,
  };
}

function base(
  store: EmulatorStore,
  verb: string,
  id: string,
  actorId: string,
  roomId: string,
  published: string,
  baseUrl: string,
): Record<string, unknown> {
  return {
    id,
    objectType: "activity",
    verb,
    published,
    actor: actor(store.people.get(actorId), actorId),
    target: target(store.rooms.get(roomId), roomId, baseUrl),
    encryptionKeyUrl: `kms://kms-emulator/keys/${uuidOf(roomId)}`,
  };
}

/** Bots in group rooms hear only messages that mention them, and their own (as webhooks). */
function hears(store: EmulatorStore, personId: string, message: Message): boolean {
  if (store.people.get(personId)?.type !== "bot" || message.roomType !== "group") return true;
  return personId === message.personId || (message.mentionedPeople ?? []).includes(personId);
}

/** `post` (or `share` with files) for a new message, to the room's members. */
export function messageActivity(
  store: EmulatorStore,
  message: Message,
  baseUrl: string,
): AddressedActivity {
  const share = (message.files ?? []).length > 0;
  const activity = base(
    store,
    share ? "share" : "post",
    uuidOf(message.id),
    message.personId,
    message.roomId,
    message.created,
    baseUrl,
  );
  activity["object"] = share
    ? {
        objectType: "content",
        displayName: fakeJwe(),
        contentCategory: "documents",
        files: { items: (message.files ?? []).map(() => ({ objectType: "file" })) },
      }
    : { objectType: "comment", displayName: fakeJwe(), content: fakeJwe() };
  if (message.parentId !== undefined) {
    activity["parent"] = { id: uuidOf(message.parentId), type: "reply" };
  }
  const recipients = store
    .membersOf(message.roomId)
    .map((p) => p.id)
    .filter((id) => hears(store, id, message));
  return { activity, recipients };
}

/** `cardAction` for a submitted card, to the card's author. */
export function cardActionActivity(
  store: EmulatorStore,
  action: AttachmentAction,
  baseUrl: string,
): AddressedActivity {
  const activity = base(
    store,
    "cardAction",
    uuidOf(action.id),
    action.personId,
    action.roomId,
    action.created,
    baseUrl,
  );
  activity["parent"] = { id: uuidOf(action.messageId), type: "cardAction" };
  activity["object"] = { objectType: "submit", inputs: fakeJwe() };
  const author = store.messages.get(action.messageId)?.personId;
  return { activity, recipients: author === undefined ? [] : [author] };
}

/** `add` or `leave` for a membership change, to the room's members and the person concerned. */
export function membershipActivity(
  store: EmulatorStore,
  change: { event: "created" | "deleted"; membership: Membership; actorId: string; at: string },
  baseUrl: string,
): AddressedActivity {
  const { membership } = change;
  const activity = base(
    store,
    change.event === "created" ? "add" : "leave",
    randomUUID(),
    change.actorId === "" ? membership.personId : change.actorId,
    membership.roomId,
    change.event === "created" ? (membership.created ?? change.at) : change.at,
    baseUrl,
  );
  const person = actor(store.people.get(membership.personId), membership.personId);
  activity["object"] = {
    ...person,
    roomProperties: { isModerator: membership.isModerator ?? false },
  };
  const members = store.membersOf(membership.roomId).map((p) => p.id);
  const recipients = [...new Set([...members, membership.personId])];
  return { activity, recipients };
}
