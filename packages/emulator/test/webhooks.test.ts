import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { waitFor } from "@sparkbot/testkit";
import { startReceiver, type TestReceiver } from "./receiver.js";
import { api, startScene, type Scene } from "./support.js";

const SECRET = "s3cret-for-tests";
let scene: Scene;
let receiver: TestReceiver;

beforeEach(async () => {
  scene = await startScene();
  receiver = await startReceiver(SECRET);
});

afterEach(async () => {
  await scene.emulator.close();
  await receiver.close();
});

async function createWebhook(token: string, extra: Record<string, unknown> = {}) {
  const body = {
    name: "test hook",
    targetUrl: `${receiver.url}/hook`,
    resource: "messages",
    event: "created",
    secret: SECRET,
    ...extra,
  };
  return api(scene.emulator, token, "POST", "/v1/webhooks", body);
}

describe("webhooks CRUD", () => {
  it("creates (200), gets, lists, updates and deletes (204) the caller's own webhooks", async () => {
    const created = await createWebhook(scene.bot.token, { filter: `roomId=${scene.groupRoomId}` });
    expect(created.status).toBe(200);
    expect(created.json).toMatchObject({
      name: "test hook",
      resource: "messages",
      event: "created",
      status: "active",
      filter: `roomId=${scene.groupRoomId}`,
      createdBy: scene.bot.id,
      ownedBy: "creator",
    });
    const id = String(created.json["id"]);
    expect(Buffer.from(id, "base64url").toString()).toMatch(/\/WEBHOOK\//);
    const got = await api(scene.emulator, scene.bot.token, "GET", `/v1/webhooks/${id}`);
    expect(got.json).toEqual(created.json);
    const othersList = await api(scene.emulator, scene.alice.token, "GET", "/v1/webhooks");
    expect(othersList.json["items"]).toEqual([]);
    const updated = await api(scene.emulator, scene.bot.token, "PUT", `/v1/webhooks/${id}`, {
      name: "renamed",
      targetUrl: `${receiver.url}/other`,
    });
    expect(updated.json).toMatchObject({ name: "renamed", targetUrl: `${receiver.url}/other` });
    const removed = await api(scene.emulator, scene.bot.token, "DELETE", `/v1/webhooks/${id}`);
    expect(removed.status).toBe(204);
    const list = await api(scene.emulator, scene.bot.token, "GET", "/v1/webhooks");
    expect(list.json["items"]).toEqual([]);
  });

  it("refuses webhooks without the required fields", async () => {
    const answer = await api(scene.emulator, scene.bot.token, "POST", "/v1/webhooks", {
      name: "x",
      targetUrl: "not a url",
      resource: "messages",
      event: "created",
    });
    expect(answer.status).toBe(400);
  });
});

describe("delivery", () => {
  it("POSTs a signed envelope with ids and no text, and logs the attempt", async () => {
    const hook = await createWebhook(scene.bot.token);
    const message = await scene.control.sendMessage({
      personId: scene.alice.id,
      roomId: scene.directRoomId,
      text: "secret words",
    });
    const got = await waitFor(() => receiver.received[0], { timeoutMs: 30_000, what: "delivery" });
    expect(got.verified).toBe(true);
    expect(got.raw).not.toContain("secret words");
    expect(got.body).toEqual({
      id: hook.json["id"],
      name: "test hook",
      targetUrl: `${receiver.url}/hook`,
      resource: "messages",
      event: "created",
      orgId: scene.bot.orgId,
      createdBy: scene.bot.id,
      appId: hook.json["appId"],
      ownedBy: "creator",
      status: "active",
      created: hook.json["created"],
      actorId: scene.alice.id,
      data: {
        id: message.id,
        roomId: scene.directRoomId,
        roomType: "direct",
        personId: scene.alice.id,
        personEmail: "alice@example.com",
        created: message.created,
      },
    });
    const log = await scene.control.settledDeliveries();
    expect(log).toEqual([
      expect.objectContaining({
        webhookId: hook.json["id"],
        dataId: message.id,
        target: `${receiver.url}/hook`,
        status: 200,
        ok: true,
      }),
    ]);
    expect(log[0]?.latencyMs).toBeGreaterThanOrEqual(0);
  });

  it("tells a bot in a group room only of messages that mention it, and of its own", async () => {
    await createWebhook(scene.bot.token);
    await createWebhook(scene.bob.token);
    await scene.control.sendMessage({
      personId: scene.alice.id,
      roomId: scene.groupRoomId,
      text: "hi all",
    });
    const mention = await scene.control.sendMessage({
      personId: scene.alice.id,
      roomId: scene.groupRoomId,
      text: "ping",
      mentions: [scene.bot.id],
    });
    const reply = await api(scene.emulator, scene.bot.token, "POST", "/v1/messages", {
      roomId: scene.groupRoomId,
      text: "pong",
    });
    const log = await scene.control.settledDeliveries();
    const toBot = log.filter((d) => (d.body as { createdBy: string }).createdBy === scene.bot.id);
    expect(toBot.map((d) => d.dataId)).toEqual([mention.id, reply.json["id"]]);
    const own = toBot[1]?.body as { actorId: string };
    expect(own.actorId).toBe(scene.bot.id);
    const toBob = log.filter((d) => (d.body as { createdBy: string }).createdBy === scene.bob.id);
    expect(toBob).toHaveLength(3);
  });

  it("honours filters", async () => {
    await createWebhook(scene.bot.token, { filter: `roomId=${scene.directRoomId}` });
    await createWebhook(scene.bob.token, { filter: "mentionedPeople=me" });
    await createWebhook(scene.alice.token, {
      filter: "personEmail=bob@example.com&roomType=group",
    });
    await scene.control.sendMessage({
      personId: scene.alice.id,
      roomId: scene.directRoomId,
      text: "a",
    });
    await scene.control.sendMessage({
      personId: scene.alice.id,
      roomId: scene.groupRoomId,
      text: "b",
      mentions: [scene.bot.id],
    });
    const toBob = await scene.control.sendMessage({
      personId: scene.alice.id,
      roomId: scene.groupRoomId,
      text: "c",
      mentions: [scene.bob.id],
    });
    const fromBob = await scene.control.sendMessage({
      personId: scene.bob.id,
      roomId: scene.groupRoomId,
      text: "d",
    });
    const log = await scene.control.settledDeliveries();
    const byOwner = (id: string) =>
      log.filter((d) => (d.body as { createdBy: string }).createdBy === id).map((d) => d.dataId);
    expect(byOwner(scene.bot.id)).toHaveLength(1);
    expect(
      (
        log.find((d) => (d.body as { createdBy: string }).createdBy === scene.bot.id)?.body as {
          data: { roomId: string };
        }
      ).data.roomId,
    ).toBe(scene.directRoomId);
    expect(byOwner(scene.bob.id)).toEqual([toBob.id]);
    expect(byOwner(scene.alice.id)).toEqual([fromBob.id]);
  });

  it("delivers memberships/created when a room is created with members", async () => {
    await createWebhook(scene.bot.token, { resource: "memberships", event: "all" });
    const room = await scene.control.createRoom({
      title: "New",
      type: "group",
      members: [scene.alice.id, scene.bot.id],
    });
    const log = await scene.control.settledDeliveries();
    const data = log.map((d) => (d.body as { data: { roomId: string; personId: string } }).data);
    expect(data).toEqual([
      expect.objectContaining({ roomId: room.id, personId: scene.alice.id }),
      expect.objectContaining({ roomId: room.id, personId: scene.bot.id }),
    ]);
    expect(log.every((d) => d.resource === "memberships" && d.event === "created")).toBe(true);
  });

  it("records failures: a target answering 500 and one not listening", async () => {
    receiver.status = 500;
    await createWebhook(scene.bot.token);
    await createWebhook(scene.bot.token, { targetUrl: "http://127.0.0.1:1/nothing" });
    await scene.control.sendMessage({
      personId: scene.alice.id,
      roomId: scene.directRoomId,
      text: "x",
    });
    const log = await scene.control.settledDeliveries();
    expect(log.map((d) => d.status).sort()).toEqual([500, null]);
    expect(log.every((d) => !d.ok)).toBe(true);
    expect(log.find((d) => d.status === null)?.error).toBeTruthy();
  });

  it("emits message and delivery events for in-process listeners", async () => {
    await createWebhook(scene.bot.token);
    const seen: string[] = [];
    scene.emulator.events.on("message", () => seen.push("message"));
    scene.emulator.events.on("delivery", () => seen.push("delivery"));
    await scene.control.sendMessage({
      personId: scene.alice.id,
      roomId: scene.directRoomId,
      text: "x",
    });
    await scene.emulator.deliveriesIdle();
    expect(seen).toEqual(["message", "delivery"]);
  });
});
