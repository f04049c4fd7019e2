import type { AttachmentAction, Membership, Message, Person, Room, Webhook } from "@sparkbot/core";
import type { FaultSpec } from "../faults.js";
import { sendRequest } from "../http/send.js";
import type { MembershipChange } from "../services.js";
import type { WebexRules } from "../state/card-rules.js";
import type { DeliveryRecord, Team } from "../state/records.js";
import type { MercuryState } from "../mercury/hub.js";

/** A person created through the control API, with the bearer token to act as them. */
export type ControlPerson = Person & { token: string };

/** A fault to inject (see `POST /_emulator/faults`): the emulator's own `FaultSpec`. */
export type FaultRequest = FaultSpec;

/** A typed client of the emulator's control API, for tests, the dev CLI and benchmarks. */
export class EmulatorControl {
  private readonly baseUrl: string;

  /** `baseUrl` is the emulator's URL (`RunningEmulator.url`); a trailing `/v1` is ignored. */
  constructor(baseUrl: string) {
    this.baseUrl = baseUrl.replace(/\/+$/, "").replace(/\/v1$/, "");
  }

  /** Creates a person or bot; the answer carries its bearer `token`. */
  createPerson(p: {
    displayName: string;
    email: string;
    type?: "person" | "bot";
  }): Promise<ControlPerson> {
    return this.call("POST", "/people", p);
  }

  /** Creates a room with these members (person ids); the first member is its creator. */
  createRoom(r: { title: string; type: "direct" | "group"; members: string[] }): Promise<Room> {
    return this.call("POST", "/rooms", r);
  }

  /** Creates a team with these members (person ids). */
  createTeam(t: { name: string; members: string[] }): Promise<Team> {
    return this.call("POST", "/teams", t);
  }

  /** Posts a message as `personId`, mentioning `mentions`, and delivers it to matching webhooks. */
  sendMessage(m: {
    personId: string;
    roomId: string;
    text: string;
    mentions?: string[];
  }): Promise<Message> {
    return this.call("POST", "/messages", m);
  }

  /**
   * Submits the card of `messageId` as `personId`, delivered to the card author's webhooks.
   * With `button` (an Action.Submit's title) it is pressed as a Webex client does: the
   * button's `data` merged with the inputs (the card's own values for those left out, as
   * strings; required ones checked). Without it, `inputs` are submitted as given.
   */
  submitCard(a: {
    personId: string;
    messageId: string;
    inputs?: Record<string, unknown>;
    button?: string;
  }): Promise<AttachmentAction> {
    return this.call("POST", "/attachment-actions", { type: "submit", inputs: {}, ...a });
  }

  /**
   * Adds a person (or a bot) to a group room, as `actorId` (default: the room's creator): the
   * `memberships/created` webhooks fire (for a bot: its `botAdded`).
   */
  addMember(m: { roomId: string; personId: string; actorId?: string }): Promise<Membership> {
    const { roomId, ...body } = m;
    return this.call("POST", `/rooms/${encodeURIComponent(roomId)}/members`, body);
  }

  /**
   * Removes a person (or a bot) from a group room, as `actorId` (default: the person, who
   * leaves): the `memberships/deleted` webhooks fire.
   */
  async removeMember(m: { roomId: string; personId: string; actorId?: string }): Promise<void> {
    const query = m.actorId === undefined ? "" : `?actorId=${encodeURIComponent(m.actorId)}`;
    const path = `/rooms/${encodeURIComponent(m.roomId)}/members/${encodeURIComponent(m.personId)}`;
    await this.call("DELETE", `${path}${query}`);
  }

  /** Every change of a room's members, oldest first. */
  async membershipChanges(roomId: string): Promise<MembershipChange[]> {
    const path = `/rooms/${encodeURIComponent(roomId)}/membership-changes`;
    return (await this.call<{ items: MembershipChange[] }>("GET", path)).items;
  }

  /** Changes some of the emulator's `WebexRules`; resolves with all of them. */
  setRules(rules: Partial<WebexRules>): Promise<WebexRules> {
    return this.call("PUT", "/rules", rules);
  }

  /** Every message of a room, bots' replies included, oldest first. */
  async roomMessages(roomId: string): Promise<Message[]> {
    const body = await this.call<{ items: Message[] }>(
      "GET",
      `/rooms/${encodeURIComponent(roomId)}/messages`,
    );
    return body.items;
  }

  /** The webhook delivery log, oldest first. */
  async deliveries(): Promise<DeliveryRecord[]> {
    return (await this.call<{ items: DeliveryRecord[] }>("GET", "/deliveries")).items;
  }

  /** Waits until every delivery started so far has settled, then returns the log. */
  async settledDeliveries(): Promise<DeliveryRecord[]> {
    return (await this.call<{ items: DeliveryRecord[] }>("POST", "/deliveries/wait")).items;
  }

  /** Every webhook of every owner, each with its `ownerId`. */
  async webhooks(): Promise<(Webhook & { ownerId: string })[]> {
    return (await this.call<{ items: (Webhook & { ownerId: string })[] }>("GET", "/webhooks"))
      .items;
  }

  /** Makes the next `count` matching calls fail. */
  async fault(f: FaultRequest): Promise<void> {
    await this.call("POST", "/faults", f);
  }

  /** Drops every pending fault. */
  async clearFaults(): Promise<void> {
    await this.call("DELETE", "/faults");
  }

  /** Forgets all people, rooms, messages, webhooks, deliveries and faults. */
  async reset(): Promise<void> {
    await this.call("POST", "/reset");
  }

  /** WDM devices, websocket connections, pending frames and counters. */
  websocketState(): Promise<MercuryState> {
    return this.call("GET", "/websocket");
  }

  /** Closes websocket connections (all, or one device's) with `code` (1006: cut, the default). */
  dropWebsockets(d: { code?: number; reason?: string; deviceId?: string } = {}): Promise<{
    dropped: number;
  }> {
    return this.call("POST", "/websocket/drop", d);
  }

  /** Refuses the next `count` websocket authorizations (closed with 4401). */
  async refuseWebsocketAuth(count: number): Promise<void> {
    await this.call("POST", "/websocket/refuse-auth", { count });
  }

  /** Stops (false) or resumes (true) answering the websockets' pings. */
  async answerWebsocketPings(answer: boolean): Promise<void> {
    await this.call("POST", "/websocket/pings", { answer });
  }

  private async call<T>(method: string, path: string, body?: unknown): Promise<T> {
    // node:http over a keep-alive agent: a fraction of fetch's CPU per call (benchmarks drive
    // every ping through here, in the emulator's own process).
    const response = await sendRequest(`${this.baseUrl}/_emulator${path}`, {
      method,
      headers: body === undefined ? {} : { "content-type": "application/json" },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    }).answer;
    const text = response.body;
    if (response.status < 200 || response.status >= 300) {
      throw new Error(`emulator ${method} ${path} answered ${response.status}: ${text}`);
    }
    return (text === "" ? undefined : JSON.parse(text)) as T;
  }
}
