import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { api, startScene, type Scene } from "./support.js";

let scene: Scene;

beforeEach(async () => {
  scene = await startScene();
});

afterEach(async () => {
  await scene.emulator.close();
});

describe("memberships and rooms: the calls webex-node-bot-framework makes", () => {
  it("lists the caller's own memberships when no roomId is given", async () => {
    const answer = await api(scene.emulator, scene.bot.token, "GET", "/v1/memberships?max=1000");
    const rooms = (answer.json["items"] as { roomId: string }[]).map((m) => m.roomId);
    expect(rooms.sort()).toEqual([scene.directRoomId, scene.groupRoomId].sort());
  });

  it("gets and updates a membership, and renames a room", async () => {
    const list = await api(
      scene.emulator,
      scene.bot.token,
      "GET",
      `/v1/memberships?roomId=${scene.groupRoomId}&personId=${scene.bob.id}`,
    );
    const membership = (list.json["items"] as { id: string }[])[0];
    expect(membership).toBeDefined();
    const path = `/v1/memberships/${membership?.id}`;
    const got = await api(scene.emulator, scene.bot.token, "GET", path);
    expect(got.json).toMatchObject({ personId: scene.bob.id, isModerator: false });
    const put = await api(scene.emulator, scene.bot.token, "PUT", path, { isModerator: true });
    expect(put.json["isModerator"]).toBe(true);
    const room = await api(
      scene.emulator,
      scene.bot.token,
      "PUT",
      `/v1/rooms/${scene.groupRoomId}`,
      {
        title: "Renamed",
      },
    );
    expect(room.json["title"]).toBe("Renamed");
    const removed = await api(
      scene.emulator,
      scene.alice.token,
      "DELETE",
      `/v1/rooms/${scene.groupRoomId}`,
    );
    expect(removed.status).toBe(204);
    const after = await api(
      scene.emulator,
      scene.bot.token,
      "GET",
      `/v1/memberships?roomId=${scene.groupRoomId}`,
    );
    expect(after.status).toBe(404);
  });

  it("adds a member through POST /v1/memberships and tells membership webhooks", async () => {
    await api(scene.emulator, scene.bot.token, "POST", "/v1/webhooks", {
      name: "m",
      targetUrl: "http://127.0.0.1:1/",
      resource: "memberships",
      event: "created",
    });
    const carol = await scene.control.createPerson({
      displayName: "Carol",
      email: "carol@example.com",
    });
    const added = await api(scene.emulator, scene.alice.token, "POST", "/v1/memberships", {
      roomId: scene.groupRoomId,
      personEmail: "carol@example.com",
    });
    expect(added.status).toBe(200);
    expect(added.json).toMatchObject({ personId: carol.id, roomId: scene.groupRoomId });
    const log = await scene.control.settledDeliveries();
    expect(log.map((d) => d.dataId)).toEqual([added.json["id"]]);
  });
});

describe("direct messages, teams and leaving rooms", () => {
  it("lists direct messages with a person", async () => {
    const sent = await scene.control.sendMessage({
      personId: scene.alice.id,
      roomId: scene.directRoomId,
      text: "hi",
    });
    const path = `/v1/messages/direct?personEmail=alice@example.com`;
    const answer = await api(scene.emulator, scene.bot.token, "GET", path);
    expect((answer.json["items"] as { id: string }[]).map((m) => m.id)).toEqual([sent.id]);
    const got = await api(scene.emulator, scene.bot.token, "GET", `/v1/messages/${sent.id}`);
    expect(got.status).toBe(200);
  });

  it("gets a team", async () => {
    const team = await scene.control.createTeam({ name: "Ops", members: [scene.alice.id] });
    const answer = await api(scene.emulator, scene.bot.token, "GET", `/v1/teams/${team.id}`);
    expect(answer.json).toMatchObject({ id: team.id, name: "Ops" });
  });

  it("tells the person who left of memberships/deleted", async () => {
    await api(scene.emulator, scene.bot.token, "POST", "/v1/webhooks", {
      name: "m",
      targetUrl: "http://127.0.0.1:1/",
      resource: "memberships",
      event: "deleted",
    });
    const path = `/v1/memberships?roomId=${scene.groupRoomId}&personId=${scene.bot.id}`;
    const list = await api(scene.emulator, scene.alice.token, "GET", path);
    const id = (list.json["items"] as { id: string }[])[0]?.id;
    const removed = await api(scene.emulator, scene.alice.token, "DELETE", `/v1/memberships/${id}`);
    expect(removed.status).toBe(204);
    const log = await scene.control.settledDeliveries();
    expect(log.map((d) => `${d.resource}/${d.event} ${d.dataId}`)).toEqual([
      `memberships/deleted ${id}`,
    ]);
  });
});

describe("attachment actions", () => {
  it("delivers a card submit to the card author's attachmentActions webhook, not the firehose", async () => {
    for (const resource of ["attachmentActions", "all"]) {
      await api(scene.emulator, scene.bot.token, "POST", "/v1/webhooks", {
        name: resource,
        targetUrl: "http://127.0.0.1:1/",
        resource,
        event: resource === "all" ? "all" : "created",
      });
    }
    const card = await api(scene.emulator, scene.bot.token, "POST", "/v1/messages", {
      roomId: scene.directRoomId,
      text: "card",
      attachments: [
        {
          contentType: "application/vnd.microsoft.card.adaptive",
          content: { type: "AdaptiveCard", version: "1.3", body: [] },
        },
      ],
    });
    await scene.control.settledDeliveries();
    const submitted = await api(
      scene.emulator,
      scene.alice.token,
      "POST",
      "/v1/attachment/actions",
      {
        type: "submit",
        messageId: card.json["id"],
        inputs: { answer: "42" },
      },
    );
    expect(submitted.json).toMatchObject({ messageId: card.json["id"], personId: scene.alice.id });
    const log = await scene.control.settledDeliveries();
    const actions = log.filter((d) => d.resource === "attachmentActions");
    expect(actions).toHaveLength(1);
    expect((actions[0]?.body as { name: string }).name).toBe("attachmentActions");
    const got = await api(
      scene.emulator,
      scene.bot.token,
      "GET",
      `/v1/attachment/actions/${submitted.json["id"]}`,
    );
    expect(got.json["inputs"]).toEqual({ answer: "42" });
    const viaControl = await scene.control.submitCard({
      personId: scene.alice.id,
      messageId: String(card.json["id"]),
      inputs: { answer: "43" },
    });
    expect(viaControl).toMatchObject({ type: "submit", personId: scene.alice.id });
    const after = await scene.control.settledDeliveries();
    expect(after.filter((d) => d.resource === "attachmentActions")).toHaveLength(2);
  });
});
