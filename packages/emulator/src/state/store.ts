import { randomUUID } from "node:crypto";
import type {
  AttachmentAction,
  Membership,
  Message,
  Person,
  Room,
  RoomType,
  TeamMembership,
} from "@sparkbot/core";
import { HttpError } from "../http/context.js";
import { webexId, webexToken } from "../ids.js";
import type { DeliveryRecord, Team, WebhookRecord } from "./records.js";

/** What `createPerson` accepts. */
export interface NewPerson {
  displayName: string;
  email: string;
  type?: "person" | "bot";
  firstName?: string;
  lastName?: string;
  /** The uuid inside the person's id (default: a random one); seeding passes a stable one. */
  uuid?: string;
  /** The bearer token (default: a random one in Webex's form); seeding passes a stable one. */
  token?: string;
}

/** What `createRoom` accepts. */
export interface NewRoom {
  title: string;
  type: RoomType;
  members: string[];
  teamId?: string;
  /** The uuid inside the room's id (default: a random one); seeding passes a stable one. */
  uuid?: string;
}

/** All the emulator's in-memory state. `reset()` empties it. */
export class EmulatorStore {
  readonly orgId: string;
  readonly appId = webexId("APPLICATION", "emulator");

  people = new Map<string, Person>();
  tokens = new Map<string, string>();
  rooms = new Map<string, Room>();
  memberships = new Map<string, Membership>();
  teams = new Map<string, Team>();
  teamMemberships = new Map<string, TeamMembership>();
  messages = new Map<string, Message>();
  webhooks = new Map<string, WebhookRecord>();
  attachmentActions = new Map<string, AttachmentAction>();
  deliveries: DeliveryRecord[] = [];
  /** Every change of a room's members, oldest first (bounded), for the chat page. */
  membershipChanges: {
    event: "created" | "deleted";
    membership: Membership;
    actorId: string;
    at: string;
  }[] = [];
  /** roomId → personId → membership id, so membership checks stay O(1) under load. */
  private readonly roomIndex = new Map<string, Map<string, string>>();
  /** roomId → its messages, oldest first. */
  private readonly messageIndex = new Map<string, Message[]>();

  /** `orgUuid`: the organization everyone belongs to (default: a random one). */
  constructor(
    private readonly now: () => number,
    readonly orgUuid: string = randomUUID(),
  ) {
    this.orgId = webexId("ORGANIZATION", orgUuid);
  }

  /** The current time as Webex formats it. */
  isoNow(): string {
    return new Date(this.now()).toISOString();
  }

  /** Forgets everything. */
  reset(): void {
    for (const map of [
      this.people,
      this.tokens,
      this.rooms,
      this.memberships,
      this.teams,
      this.teamMemberships,
      this.messages,
      this.webhooks,
      this.attachmentActions,
      this.roomIndex,
      this.messageIndex,
    ]) {
      map.clear();
    }
    this.deliveries = [];
    this.membershipChanges = [];
  }

  /** Adds a person (or bot) with a fresh bearer token. A taken email is a 409. */
  createPerson(input: NewPerson): { person: Person; token: string } {
    const email = input.email.toLowerCase();
    if (this.personByEmail(email)) throw new HttpError(409, `A person with email ${email} exists.`);
    const [first = input.displayName, ...rest] = input.displayName.split(" ");
    const person: Person = {
      id: webexId("PEOPLE", input.uuid),
      emails: [email],
      phoneNumbers: [],
      displayName: input.displayName,
      nickName: input.firstName ?? first,
      firstName: input.firstName ?? first,
      lastName: input.lastName ?? rest.join(" "),
      avatar: "",
      orgId: this.orgId,
      created: this.isoNow(),
      lastModified: this.isoNow(),
      status: "unknown",
      type: input.type ?? "person",
    };
    const token = input.token ?? webexToken(this.orgUuid);
    if (this.tokens.has(token)) throw new HttpError(409, "That token is taken.");
    this.people.set(person.id, person);
    this.tokens.set(token, person.id);
    return { person, token };
  }

  /** The person a bearer token belongs to. */
  personByToken(token: string): Person | undefined {
    const id = this.tokens.get(token);
    return id === undefined ? undefined : this.people.get(id);
  }

  /** A person by Webex id or, as Webex also accepts, by the bare uuid inside it. */
  personById(id: string): Person | undefined {
    const exact = this.people.get(id);
    if (exact || !UUID.test(id)) return exact;
    return this.people.get(webexId("PEOPLE", id.toLowerCase()));
  }

  personByEmail(email: string): Person | undefined {
    const wanted = email.toLowerCase();
    for (const person of this.people.values()) if (person.emails.includes(wanted)) return person;
    return undefined;
  }

  /** The person with this id, or a 404 naming `what`. */
  requirePerson(id: string, what = "person"): Person {
    const person = this.people.get(id);
    if (!person) throw new HttpError(404, `Unknown ${what}: ${id}`);
    return person;
  }

  /** Creates a room with its memberships (the first member is its creator and moderator). */
  createRoom(input: NewRoom): { room: Room; memberships: Membership[] } {
    const members = [...new Set(input.members)];
    for (const id of members) this.requirePerson(id, "member");
    if (input.type === "direct" && members.length !== 2) {
      throw new HttpError(400, "A direct room has exactly two members.");
    }
    const room: Room = {
      id: webexId("ROOM", input.uuid),
      title: input.title,
      type: input.type,
      isLocked: false,
      lastActivity: this.isoNow(),
      creatorId: members[0] ?? "",
      created: this.isoNow(),
      ownerId: this.orgId,
      isPublic: false,
      isReadOnly: false,
      ...(input.teamId ? { teamId: input.teamId } : {}),
    };
    this.rooms.set(room.id, room);
    const memberships = members.map((id, index) => this.addMembership(room.id, id, index === 0));
    return { room, memberships };
  }

  /** Adds a person to a room. */
  addMembership(roomId: string, personId: string, isModerator = false): Membership {
    const person = this.requirePerson(personId);
    const room = this.rooms.get(roomId);
    const membership: Membership = {
      id: webexId("MEMBERSHIP", `${decodeUuid(personId)}:${decodeUuid(roomId)}`),
      roomId,
      personId,
      personEmail: person.emails[0] ?? "",
      personDisplayName: person.displayName,
      personOrgId: person.orgId,
      isModerator,
      isMonitor: false,
      isRoomHidden: false,
      roomType: room?.type ?? "group",
      created: this.isoNow(),
    };
    this.memberships.set(membership.id, membership);
    const members = this.roomIndex.get(roomId) ?? new Map<string, string>();
    members.set(personId, membership.id);
    this.roomIndex.set(roomId, members);
    return membership;
  }

  /** Removes a membership. */
  removeMembership(id: string): void {
    const membership = this.memberships.get(id);
    if (!membership) return;
    this.memberships.delete(id);
    this.roomIndex.get(membership.roomId)?.delete(membership.personId);
  }

  /** Removes a room with its memberships and messages. */
  removeRoom(roomId: string): void {
    for (const id of this.roomIndex.get(roomId)?.values() ?? []) this.memberships.delete(id);
    for (const message of this.messageIndex.get(roomId) ?? []) this.messages.delete(message.id);
    this.roomIndex.delete(roomId);
    this.messageIndex.delete(roomId);
    this.rooms.delete(roomId);
  }

  /** True when the person is a member of the room. */
  isMember(roomId: string, personId: string): boolean {
    return this.roomIndex.get(roomId)?.has(personId) ?? false;
  }

  /** The people in a room. */
  membersOf(roomId: string): Person[] {
    const ids = [...(this.roomIndex.get(roomId)?.keys() ?? [])];
    return ids.flatMap((id) => this.people.get(id) ?? []);
  }

  /** The direct room of two people, created on first use (as Webex does for `toPersonId`). */
  directRoom(a: Person, b: Person): Room {
    for (const room of this.rooms.values()) {
      if (room.type === "direct" && this.isMember(room.id, a.id) && this.isMember(room.id, b.id)) {
        return room;
      }
    }
    return this.createRoom({ title: b.displayName, type: "direct", members: [a.id, b.id] }).room;
  }

  /** Creates a team with its members. */
  createTeam(name: string, members: string[]): { team: Team; memberships: TeamMembership[] } {
    for (const id of members) this.requirePerson(id, "member");
    const team: Team = {
      id: webexId("TEAM"),
      name,
      creatorId: members[0] ?? "",
      created: this.isoNow(),
    };
    this.teams.set(team.id, team);
    const memberships = members.map((personId, index) => {
      const person = this.requirePerson(personId);
      const membership: TeamMembership = {
        id: webexId("TEAM_MEMBERSHIP", `${decodeUuid(personId)}:${decodeUuid(team.id)}`),
        teamId: team.id,
        personId,
        personEmail: person.emails[0] ?? "",
        personDisplayName: person.displayName,
        personOrgId: person.orgId,
        isModerator: index === 0,
        created: this.isoNow(),
      };
      this.teamMemberships.set(membership.id, membership);
      return membership;
    });
    return { team, memberships };
  }

  /** Stores a message. */
  addMessage(message: Message): void {
    this.messages.set(message.id, message);
    const list = this.messageIndex.get(message.roomId) ?? [];
    list.push(message);
    this.messageIndex.set(message.roomId, list);
  }

  /** Removes a message. */
  removeMessage(id: string): void {
    const message = this.messages.get(id);
    if (!message) return;
    this.messages.delete(id);
    const list = this.messageIndex.get(message.roomId) ?? [];
    this.messageIndex.set(
      message.roomId,
      list.filter((m) => m.id !== id),
    );
  }

  /** A room's messages, oldest first (a copy). */
  roomMessages(roomId: string): Message[] {
    return [...(this.messageIndex.get(roomId) ?? [])];
  }
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function decodeUuid(id: string): string {
  const decoded = Buffer.from(id, "base64url").toString("utf8");
  return decoded.slice(decoded.lastIndexOf("/") + 1);
}
