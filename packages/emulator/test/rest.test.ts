import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { decodeWebexId } from "../src/index.js";
import { api, startScene, type Scene } from "./support.js";

let scene: Scene;

beforeEach(async () => {
  scene = await startScene();
});

afterEach(async () => {
  await scene.emulator.close();
});

describe("auth, ids and errors", () => {
  it("answers 401 with Webex's error body and a trackingid header for a bad token", async () => {
    const missing = await api(scene.emulator, undefined, "GET", "/v1/people/me");
    const wrong = await api(scene.emulator, "nope", "GET", "/v1/people/me");
    for (const answer of [missing, wrong]) {
      expect(answer.status).toBe(401);
      expect(answer.json["message"]).toMatch(/valid access token/);
      expect(answer.json["errors"]).toEqual([{ description: answer.json["message"] }]);
      expect(answer.json["trackingId"]).toBe(answer.headers.get("trackingid"));
    }
  });

  it("gives bots three-part tokens and Webex-form ids", async () => {
    expect(scene.bot.token.split("_")).toHaveLength(3);
    expect(scene.bot.id).not.toMatch(/[=+/]/);
    expect(decodeWebexId(scene.bot.id)?.kind).toBe("PEOPLE");
    expect(Buffer.from(scene.groupRoomId, "base64url").toString()).toMatch(
      /^ciscospark:\/\/us\/ROOM\/[0-9a-f-]{36}$/,
    );
  });

  it("answers 404 with an error body for unknown routes", async () => {
    const answer = await api(scene.emulator, scene.bot.token, "GET", "/v1/nothing");
    expect(answer.status).toBe(404);
    expect(answer.json["errors"]).toBeInstanceOf(Array);
  });
});

describe("people", () => {
  it("serves people/me for the token's owner and people/{id}", async () => {
    const me = await api(scene.emulator, scene.bot.token, "GET", "/v1/people/me");
    expect(me.status).toBe(200);
    expect(me.json).toMatchObject({ id: scene.bot.id, type: "bot", emails: ["spark@webex.bot"] });
    expect(me.json["token"]).toBeUndefined();
    const alice = await api(scene.emulator, scene.bot.token, "GET", `/v1/people/${scene.alice.id}`);
    expect(alice.json).toMatchObject({ displayName: "Alice Smith", orgId: scene.bot.orgId });
    const uuid = Buffer.from(scene.alice.id, "base64url").toString().split("/").pop();
    const byUuid = await api(scene.emulator, scene.bot.token, "GET", `/v1/people/${uuid}`);
    expect(byUuid.json["id"]).toBe(scene.alice.id);
    const malformed = await api(scene.emulator, scene.bot.token, "GET", "/v1/people/%E0%A4%A");
    expect(malformed.status).toBe(404);
    const unknown = await api(scene.emulator, scene.bot.token, "GET", "/v1/people/xyz");
    expect(unknown.status).toBe(404);
  });

  it("lists people by email and by ids with notFoundIds", async () => {
    const byEmail = await api(
      scene.emulator,
      scene.bot.token,
      "GET",
      "/v1/people?email=alice@example.com",
    );
    expect(byEmail.json["items"]).toEqual([expect.objectContaining({ id: scene.alice.id })]);
    const ids = `${scene.alice.id},missing,${scene.bob.id}`;
    const byIds = await api(scene.emulator, scene.bot.token, "GET", `/v1/people?id=${ids}`);
    expect((byIds.json["items"] as { id: string }[]).map((p) => p.id)).toEqual([
      scene.alice.id,
      scene.bob.id,
    ]);
    expect(byIds.json["notFoundIds"]).toEqual(["missing"]);
    const none = await api(scene.emulator, scene.bot.token, "GET", "/v1/people");
    expect(none.status).toBe(400);
  });
});

describe("rooms and memberships", () => {
  it("gets rooms the caller is in and hides others", async () => {
    const room = await api(
      scene.emulator,
      scene.bot.token,
      "GET",
      `/v1/rooms/${scene.groupRoomId}`,
    );
    expect(room.json).toMatchObject({ id: scene.groupRoomId, type: "group", title: "Team room" });
    const direct = await api(
      scene.emulator,
      scene.bob.token,
      "GET",
      `/v1/rooms/${scene.directRoomId}`,
    );
    expect(direct.status).toBe(404);
    const list = await api(scene.emulator, scene.bot.token, "GET", "/v1/rooms?type=direct");
    expect(list.json["items"]).toEqual([expect.objectContaining({ id: scene.directRoomId })]);
  });

  it("lists memberships of a room and team memberships", async () => {
    const path = `/v1/memberships?roomId=${scene.groupRoomId}`;
    const members = await api(scene.emulator, scene.bot.token, "GET", path);
    const emails = (members.json["items"] as { personEmail: string }[]).map((m) => m.personEmail);
    expect(emails).toEqual(["alice@example.com", "bob@example.com", "spark@webex.bot"]);
    const team = await scene.control.createTeam({ name: "Ops", members: [scene.alice.id] });
    const teamPath = `/v1/team/memberships?teamId=${team.id}`;
    const teamMembers = await api(scene.emulator, scene.bot.token, "GET", teamPath);
    expect(teamMembers.json["items"]).toEqual([
      expect.objectContaining({ teamId: team.id, personId: scene.alice.id }),
    ]);
    const noTeam = await api(scene.emulator, scene.bot.token, "GET", "/v1/team/memberships");
    expect(noTeam.status).toBe(400);
  });
});

describe("catalog", () => {
  it("answers the SDK's catalog requests with the base URL the client used", async () => {
    for (const path of ["/u2c/limited/catalog", "/u2c/catalog", "/u2c/api/v1/limited/catalog"]) {
      const answer = await api(scene.emulator, undefined, "GET", `${path}?format=hostmap`);
      expect(answer.status).toBe(200);
      expect(answer.json).toEqual({
        format: "hostmap",
        serviceLinks: {
          hydra: `${scene.emulator.url}/v1`,
          wdm: `${scene.emulator.url}/wdm/api/v1`,
          conversation: `${scene.emulator.url}/conversation/api/v1`,
          metrics: `${scene.emulator.url}/metrics/api/v1`,
        },
        hostCatalog: {
          "127.0.0.1": [
            { host: "127.0.0.1", ttl: -1, priority: 5, id: "urn:TEAM:us-east-2_a:conversation" },
          ],
        },
      });
    }
    const refused = await api(scene.emulator, "not-a-token", "GET", "/u2c/api/v1/catalog");
    expect(refused.status).toBe(401);
    const port = new URL(scene.emulator.url).port;
    const viaLocalhost = await api(
      scene.emulator,
      undefined,
      "GET",
      `http://localhost:${port}/u2c/catalog`,
    );
    expect(viaLocalhost.json["serviceLinks"]).toMatchObject({
      hydra: `http://localhost:${port}/v1`,
      wdm: `http://localhost:${port}/wdm/api/v1`,
    });
  });
});
