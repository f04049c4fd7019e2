import { randomUUID } from "node:crypto";
import { afterMessage, found, limit } from "./in-memory-helpers.js";
import type { WebexClient } from "../webex/client.js";
import type {
  AttachmentAction,
  Membership,
  Message,
  NewMessage,
  NewWebhook,
  Person,
  Room,
  RoomType,
  TeamMembership,
  Webhook,
  WebhookUpdate,
} from "../webex/types.js";

/** A Webex-style id: base64 of `ciscospark://us/<KIND>/<uuid>`, without padding. */
export function fakeWebexId(kind: string): string {
  return Buffer.from(`ciscospark://us/${kind}/${randomUUID()}`)
    .toString("base64")
    .replace(/=+$/, "");
}

const ORG_ID = fakeWebexId("ORGANIZATION");

/** A person to add: a display name is enough, the rest is filled in. */
export type NewPerson = Partial<Person> & { displayName: string };

/**
 * A `WebexClient` that keeps people, rooms, memberships, messages and webhooks in memory, for
 * unit tests of commands with no network. Missing objects reject with `WebexApiError` 404, as
 * Webex does. Add data with `addPerson`, `addRoom`, `addTeamMember`, `addMessage`.
 */
export class InMemoryWebex implements WebexClient {
  /** The bot this client acts as (`people.me()`, author of created messages). */
  readonly me: Person;
  /** The organisation people belong to unless given another `orgId`. */
  readonly orgId: string = ORG_ID;
  readonly peopleById = new Map<string, Person>();
  readonly roomsById = new Map<string, Room>();
  readonly membershipList: Membership[] = [];
  readonly teamMembershipList: TeamMembership[] = [];
  readonly messageList: Message[] = [];
  readonly webhooksById = new Map<string, Webhook>();
  readonly attachmentActionsById = new Map<string, AttachmentAction>();

  constructor(me: NewPerson = { displayName: "SparkBot", type: "bot" }) {
    this.me = this.addPerson({ type: "bot", ...me });
  }

  /** Adds a person; the email defaults to the display name at example.com. */
  addPerson(person: NewPerson): Person {
    const email = `${person.displayName.toLowerCase().replace(/[^a-z0-9]+/g, ".")}@example.com`;
    const [firstName, ...rest] = person.displayName.split(/\s+/);
    const full: Person = {
      id: fakeWebexId("PEOPLE"),
      emails: [email],
      orgId: ORG_ID,
      type: "person",
      firstName,
      lastName: rest.join(" ") || undefined,
      ...person,
    };
    this.peopleById.set(full.id, full);
    return full;
  }

  /** Adds a room with the bot (unless `withBot` is false) and the given people as members. */
  addRoom(room: {
    type: RoomType;
    title?: string;
    members?: Person[];
    teamId?: string;
    withBot?: boolean;
  }): Room {
    const full: Room = {
      id: fakeWebexId("ROOM"),
      title: room.title ?? (room.type === "direct" ? "Direct" : "Group room"),
      type: room.type,
      ...(room.teamId === undefined ? {} : { teamId: room.teamId }),
      created: new Date().toISOString(),
    };
    this.roomsById.set(full.id, full);
    const members = room.withBot === false ? [] : [this.me];
    for (const person of [...members, ...(room.members ?? [])]) this.addMembership(full, person);
    return full;
  }

  /** Makes `person` a member of `room` (as Webex's `memberships/created` reports it). */
  addMembership(room: Room, person: Person): Membership {
    const membership: Membership = {
      id: fakeWebexId("MEMBERSHIP"),
      roomId: room.id,
      personId: person.id,
      personEmail: person.emails[0] ?? "",
      personDisplayName: person.displayName,
      personOrgId: person.orgId,
      isModerator: false,
      isMonitor: false,
      roomType: room.type,
      created: new Date().toISOString(),
    };
    this.membershipList.push(membership);
    return membership;
  }

  /** Removes `person` from `room`; resolves the membership removed (404 when there was none). */
  removeMembership(room: Room, person: Person): Membership {
    const index = this.membershipList.findIndex(
      (m) => m.roomId === room.id && m.personId === person.id,
    );
    const membership = found(
      index >= 0 ? this.membershipList[index] : undefined,
      "membership",
      person.id,
    );
    this.membershipList.splice(index, 1);
    return membership;
  }

  /** Records a card submission by `person` on `message` (as `POST /attachment/actions` does). */
  addAttachmentAction(
    person: Person,
    message: Message,
    inputs: Record<string, unknown>,
  ): AttachmentAction {
    const action: AttachmentAction = {
      id: fakeWebexId("ATTACHMENT_ACTION"),
      type: "submit",
      messageId: message.id,
      inputs,
      personId: person.id,
      roomId: message.roomId,
      created: new Date().toISOString(),
    };
    this.attachmentActionsById.set(action.id, action);
    return action;
  }

  /** Makes `person` a member of team `teamId`. */
  addTeamMember(teamId: string, person: Person): TeamMembership {
    const membership: TeamMembership = {
      id: fakeWebexId("TEAM_MEMBERSHIP"),
      teamId,
      personId: person.id,
      personEmail: person.emails[0] ?? "",
      personDisplayName: person.displayName,
      personOrgId: person.orgId,
    };
    this.teamMembershipList.push(membership);
    return membership;
  }

  /** Stores a message written by `author` (anyone, not only the bot). */
  addMessage(author: Person, message: NewMessage & { html?: string }): Message {
    const roomId = message.roomId ?? this.#directRoomWith(message.toPersonId);
    const room = this.roomsById.get(roomId);
    const stored: Message = {
      ...message,
      id: fakeWebexId("MESSAGE"),
      roomId,
      ...(room === undefined ? {} : { roomType: room.type }),
      personId: author.id,
      personEmail: author.emails[0] ?? "",
      created: new Date().toISOString(),
    };
    delete stored.toPersonId;
    delete stored.toPersonEmail;
    this.messageList.push(stored);
    return stored;
  }

  readonly people: WebexClient["people"] = {
    me: async () => this.me,
    get: async (personId) => found(this.peopleById.get(personId), "person", personId),
    list: async (query, options) =>
      limit(
        [...this.peopleById.values()].filter(
          (person) =>
            (query.email === undefined || person.emails.includes(query.email)) &&
            (query.id === undefined || query.id.includes(person.id)) &&
            (query.displayName === undefined ||
              person.displayName.toLowerCase().startsWith(query.displayName.toLowerCase())) &&
            (query.orgId === undefined || person.orgId === query.orgId),
        ),
        options,
      ),
  };

  readonly messages: WebexClient["messages"] = {
    create: async (message) => {
      if (message.roomId !== undefined)
        found(this.roomsById.get(message.roomId), "room", message.roomId);
      return this.addMessage(this.me, message);
    },
    get: async (messageId) =>
      found(
        this.messageList.find((message) => message.id === messageId),
        "message",
        messageId,
      ),
    list: async (query, options) =>
      limit(
        this.messageList
          .filter(
            (message) =>
              message.roomId === query.roomId &&
              (query.parentId === undefined || message.parentId === query.parentId) &&
              (query.before === undefined || message.created < query.before) &&
              (query.mentionedPeople === undefined ||
                (message.mentionedPeople ?? []).includes(query.mentionedPeople)),
          )
          .reverse()
          .filter(afterMessage(query.beforeMessage)),
        options,
      ),
    remove: async (messageId) => {
      const index = this.messageList.findIndex((message) => message.id === messageId);
      found(index >= 0 ? index : undefined, "message", messageId);
      this.messageList.splice(index, 1);
    },
  };

  readonly rooms: WebexClient["rooms"] = {
    get: async (roomId) => found(this.roomsById.get(roomId), "room", roomId),
    list: async (query, options) => {
      const rooms = [...this.roomsById.values()]
        .filter((room) => query.type === undefined || room.type === query.type)
        .filter((room) => query.teamId === undefined || room.teamId === query.teamId)
        .reverse();
      if (query.sortBy === "lastactivity") {
        const activity = (room: Room) => this.lastActivity(room.id) ?? room.created ?? "";
        rooms.sort((a, b) => activity(b).localeCompare(activity(a)));
      }
      return limit(rooms, options);
    },
  };

  /** When the newest message of a room was written, if any. */
  private lastActivity(roomId: string): string | undefined {
    return this.messageList.findLast((message) => message.roomId === roomId)?.created;
  }

  readonly memberships: WebexClient["memberships"] = {
    list: async (query, options) =>
      limit(
        this.membershipList.filter(
          (membership) =>
            (query.roomId === undefined || membership.roomId === query.roomId) &&
            (query.personId === undefined || membership.personId === query.personId) &&
            (query.personEmail === undefined || membership.personEmail === query.personEmail),
        ),
        options,
      ),
  };

  readonly teamMemberships: WebexClient["teamMemberships"] = {
    list: async (query, options) =>
      limit(
        this.teamMembershipList.filter((membership) => membership.teamId === query.teamId),
        options,
      ),
  };

  readonly webhooks: WebexClient["webhooks"] = {
    list: async (options) => limit([...this.webhooksById.values()], options),
    get: async (webhookId) => found(this.webhooksById.get(webhookId), "webhook", webhookId),
    create: async (webhook: NewWebhook) => {
      const stored: Webhook = { ...webhook, id: fakeWebexId("WEBHOOK"), status: "active" };
      this.webhooksById.set(stored.id, stored);
      return stored;
    },
    update: async (webhookId, update: WebhookUpdate) => {
      const current = found(this.webhooksById.get(webhookId), "webhook", webhookId);
      const updated: Webhook = { ...current, ...update };
      this.webhooksById.set(webhookId, updated);
      return updated;
    },
    remove: async (webhookId) => {
      found(this.webhooksById.get(webhookId), "webhook", webhookId);
      this.webhooksById.delete(webhookId);
    },
  };

  readonly attachmentActions: WebexClient["attachmentActions"] = {
    get: async (actionId) =>
      found(this.attachmentActionsById.get(actionId), "attachment action", actionId),
  };

  #directRoomWith(personId: string | undefined): string {
    const person = found(
      personId === undefined ? undefined : this.peopleById.get(personId),
      "person",
      String(personId),
    );
    const existing = [...this.roomsById.values()].find(
      (room) =>
        room.type === "direct" &&
        this.membershipList.some((m) => m.roomId === room.id && m.personId === person.id),
    );
    return (existing ?? this.addRoom({ type: "direct", members: [person] })).id;
  }
}
