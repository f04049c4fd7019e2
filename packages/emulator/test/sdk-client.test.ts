import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { WebexApiError } from "@sparkbot/core";
import type { Room, WebexClient } from "@sparkbot/core";

import { EmulatorControl, startEmulator } from "../src/index.js";
import type { ControlPerson, RunningEmulator } from "../src/index.js";

import { CLIENT_KINDS } from "./client-kinds.js";

describe.each(CLIENT_KINDS)("$name", ({ create }) => {
  // Each client of core (the SDK-based one and the plain HTTP one) against the emulator.

  let emulator: RunningEmulator;
  let control: EmulatorControl;
  let bot: ControlPerson;
  let alice: ControlPerson;
  let bob: ControlPerson;
  let direct: Room;
  let group: Room;
  let client: WebexClient;

  beforeAll(async () => {
    emulator = await startEmulator();
    control = new EmulatorControl(emulator.url);
    bot = await control.createPerson({
      displayName: "Spark Bot",
      email: "bot@x.test",
      type: "bot",
    });
    alice = await control.createPerson({ displayName: "Alice A", email: "alice@x.test" });
    bob = await control.createPerson({ displayName: "Bob B", email: "bob@x.test" });
    direct = await control.createRoom({ title: "", type: "direct", members: [alice.id, bot.id] });
    group = await control.createRoom({
      title: "Group",
      type: "group",
      members: [alice.id, bob.id, bot.id],
    });
    client = create({ accessToken: bot.token, apiUrl: emulator.apiUrl, timeoutMs: 5000 });
  });

  afterAll(async () => {
    await emulator?.close();
  });

  async function expectApiError(promise: Promise<unknown>, status: number): Promise<WebexApiError> {
    const error: unknown = await promise.then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(WebexApiError);
    expect((error as WebexApiError).status).toBe(status);
    return error as WebexApiError;
  }

  describe("people", () => {
    it("me is the bot", async () => {
      const me = await client.people.me();
      expect(me).toMatchObject({ id: bot.id, displayName: "Spark Bot", type: "bot" });
      expect(me.emails).toEqual(["bot@x.test"]);
    });

    it("get by id, and an unknown id is a 404 (not a hang)", async () => {
      await expect(client.people.get(alice.id)).resolves.toMatchObject({ id: alice.id });
      // A 404 error answer (a hang would reach the test's timeout instead).
      await expectApiError(client.people.get("Y2lzY29zcGFyazovL3VzL1BFT1BMRS9ub25l"), 404);
    });

    it("list by email and by ids", async () => {
      const byEmail = await client.people.list({ email: "alice@x.test" });
      expect(byEmail.map((p) => p.id)).toEqual([alice.id]);
      const byIds = await client.people.list({ id: [alice.id, bob.id] });
      expect(byIds.map((p) => p.id).sort()).toEqual([alice.id, bob.id].sort());
      await expect(client.people.list({ id: [] })).resolves.toEqual([]);
    });
  });

  describe("messages", () => {
    it("create, get, list and remove", async () => {
      const sent = await client.messages.create({ roomId: direct.id, markdown: "**pong**" });
      expect(sent).toMatchObject({ roomId: direct.id, personId: bot.id, markdown: "**pong**" });
      const inRoom = await control.roomMessages(direct.id);
      expect(inRoom.map((m) => m.id)).toContain(sent.id);

      await expect(client.messages.get(sent.id)).resolves.toMatchObject({ id: sent.id });
      const listed = await client.messages.list({ roomId: direct.id });
      expect(listed.map((m) => m.id)).toContain(sent.id);

      await client.messages.remove(sent.id);
      await expectApiError(client.messages.get(sent.id), 404);
    });

    it("lists only messages mentioning the bot in a group room", async () => {
      await control.sendMessage({ personId: alice.id, roomId: group.id, text: "no mention" });
      const mention = await control.sendMessage({
        personId: alice.id,
        roomId: group.id,
        text: "help",
        mentions: [bot.id],
      });
      const listed = await client.messages.list({ roomId: group.id, mentionedPeople: "me" });
      expect(listed.map((m) => m.id)).toEqual([mention.id]);
    });

    it("refuses a message over 7439 bytes with Webex's 400", async () => {
      const error = await expectApiError(
        client.messages.create({ roomId: direct.id, text: "é".repeat(3720) }),
        400,
      );
      expect(error.retryable).toBe(false);
      expect(error.trackingId).toBeTruthy();
      await expect(
        client.messages.create({ roomId: direct.id, text: "a".repeat(7439) }),
      ).resolves.toMatchObject({ roomId: direct.id });
    });
  });

  describe("rooms and memberships", () => {
    it("gets rooms with their type", async () => {
      await expect(client.rooms.get(direct.id)).resolves.toMatchObject({ type: "direct" });
      await expect(client.rooms.get(group.id)).resolves.toMatchObject({ type: "group" });
    });

    it("lists a room's memberships", async () => {
      const memberships = await client.memberships.list({ roomId: group.id });
      expect(memberships.map((m) => m.personId).sort()).toEqual([alice.id, bob.id, bot.id].sort());
    });

    it("lists a team's memberships", async () => {
      const team = await control.createTeam({ name: "Team", members: [alice.id, bot.id] });
      const memberships = await client.teamMemberships.list({ teamId: team.id });
      expect(memberships.map((m) => m.personId).sort()).toEqual([alice.id, bot.id].sort());
    });
  });

  describe("webhooks", () => {
    it("create, list, get, update and remove", async () => {
      const created = await client.webhooks.create({
        name: "sparkbot",
        targetUrl: "http://127.0.0.1:9/sparkbot",
        resource: "messages",
        event: "created",
        secret: "s3cret",
      });
      expect(created).toMatchObject({ name: "sparkbot", resource: "messages", status: "active" });
      expect((await client.webhooks.list()).map((w) => w.id)).toContain(created.id);
      await expect(client.webhooks.get(created.id)).resolves.toMatchObject({ id: created.id });

      const updated = await client.webhooks.update(created.id, {
        name: "renamed",
        targetUrl: "http://127.0.0.1:9/other",
      });
      expect(updated).toMatchObject({ id: created.id, name: "renamed" });
      expect(updated.targetUrl).toBe("http://127.0.0.1:9/other");

      await client.webhooks.remove(created.id);
      await expectApiError(client.webhooks.get(created.id), 404);
      expect((await client.webhooks.list()).map((w) => w.id)).not.toContain(created.id);
    });
  });

  describe("attachment actions", () => {
    it("gets an action submitted on the bot's card", async () => {
      const card = await client.messages.create({
        roomId: direct.id,
        text: "a card",
        attachments: [
          {
            contentType: "application/vnd.microsoft.card.adaptive",
            content: { type: "AdaptiveCard", version: "1.3", body: [] },
          },
        ],
      });
      const response = await fetch(`${emulator.apiUrl}/attachment/actions`, {
        method: "POST",
        headers: { authorization: `Bearer ${alice.token}`, "content-type": "application/json" },
        body: JSON.stringify({ type: "submit", messageId: card.id, inputs: { answer: "42" } }),
      });
      expect(response.status).toBe(202);
      const submitted = (await response.json()) as { id: string };
      await expect(client.attachmentActions.get(submitted.id)).resolves.toMatchObject({
        id: submitted.id,
        messageId: card.id,
        personId: alice.id,
        inputs: { answer: "42" },
      });
    });
  });

  describe("pagination (Link: rel=next)", () => {
    it("gathers every page, or stops at the limit", async () => {
      // Direct rooms: Webex lets a bot list a group room's messages only with mentionedPeople=me.
      const carol = await control.createPerson({ displayName: "Carol", email: "carol@x.test" });
      const room = await control.createRoom({
        title: "",
        type: "direct",
        members: [carol.id, bot.id],
      });
      const sent: string[] = [];
      for (let i = 0; i < 7; i += 1) {
        sent.push((await client.messages.create({ roomId: room.id, text: `m${i}` })).id);
      }
      const all = await client.messages.list({ roomId: room.id, max: 2 });
      expect(all.map((m) => m.id).sort()).toEqual([...sent].sort());
      expect(new Set(all.map((m) => m.id)).size).toBe(7);

      const three = await client.messages.list({ roomId: room.id, max: 2 }, { limit: 3 });
      expect(three).toHaveLength(3);
      expect(three.map((m) => m.id)).toEqual(all.slice(0, 3).map((m) => m.id));
    });

    it("follows the server's default page size past 100 items", async () => {
      const dave = await control.createPerson({ displayName: "Dave", email: "dave@x.test" });
      const room = await control.createRoom({
        title: "",
        type: "direct",
        members: [dave.id, bot.id],
      });
      for (let i = 0; i < 120; i += 1) {
        await client.messages.create({ roomId: room.id, text: `n${i}` });
      }
      await expect(client.messages.list({ roomId: room.id })).resolves.toHaveLength(120);
    });
  });
});
