import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { Message } from "@sparkbot/core";
import { api, startScene, type Scene } from "./support.js";

let scene: Scene;

beforeEach(async () => {
  scene = await startScene();
});

afterEach(async () => {
  await scene.emulator.close();
});

function ids(items: unknown): string[] {
  return (items as Message[]).map((m) => m.id);
}

describe("creating messages", () => {
  it("stores a bot's reply with Webex's shape and returns it with 200", async () => {
    const body = { roomId: scene.directRoomId, markdown: "**pong**" };
    const answer = await api(scene.emulator, scene.bot.token, "POST", "/v1/messages", body);
    expect(answer.status).toBe(200);
    expect(answer.json).toMatchObject({
      roomId: scene.directRoomId,
      roomType: "direct",
      markdown: "**pong**",
      html: "<p><strong>pong</strong></p>",
      text: "pong",
      personId: scene.bot.id,
      personEmail: "spark@webex.bot",
    });
    expect(Buffer.from(String(answer.json["id"]), "base64url").toString()).toMatch(/\/MESSAGE\//);
    const got = await api(
      scene.emulator,
      scene.alice.token,
      "GET",
      `/v1/messages/${answer.json["id"]}`,
    );
    expect(got.json).toEqual(answer.json);
  });

  it("sends to toPersonEmail through the existing direct room", async () => {
    const body = { toPersonEmail: "alice@example.com", text: "hi" };
    const answer = await api(scene.emulator, scene.bot.token, "POST", "/v1/messages", body);
    expect(answer.json["roomId"]).toBe(scene.directRoomId);
  });

  it("turns markdown mention tokens into mentionedPeople and spark-mentions", async () => {
    const markdown = `Hello <@personEmail:alice@example.com|Alice>!`;
    const body = { roomId: scene.groupRoomId, markdown };
    const answer = await api(scene.emulator, scene.bot.token, "POST", "/v1/messages", body);
    expect(answer.json["mentionedPeople"]).toEqual([scene.alice.id]);
    expect(answer.json["html"]).toContain(
      `data-object-id="${scene.alice.id}">Alice</spark-mention>`,
    );
    expect(answer.json["text"]).toBe("Hello Alice!");
  });

  it("refuses a message over 7439 bytes with Webex's 400 and accepts one of exactly 7439", async () => {
    const post = (text: string) =>
      api(scene.emulator, scene.bot.token, "POST", "/v1/messages", {
        roomId: scene.directRoomId,
        text,
      });
    expect((await post("a".repeat(7439))).status).toBe(200);
    const tooLong = await post("é".repeat(3720)); // 7440 bytes, 3720 characters
    expect(tooLong.status).toBe(400);
    expect(tooLong.json["message"]).toMatch(/Message length limited to 7439/);
    const markdown = await api(scene.emulator, scene.bot.token, "POST", "/v1/messages", {
      roomId: scene.directRoomId,
      markdown: "b".repeat(7440),
    });
    expect(markdown.status).toBe(400);
  });

  it("refuses an empty message and a room the author is not in", async () => {
    const empty = await api(scene.emulator, scene.bot.token, "POST", "/v1/messages", {
      roomId: scene.directRoomId,
    });
    expect(empty.status).toBe(400);
    const foreign = await api(scene.emulator, scene.bob.token, "POST", "/v1/messages", {
      roomId: scene.directRoomId,
      text: "hi",
    });
    expect(foreign.status).toBe(404);
  });

  it("deletes only the caller's own messages (204)", async () => {
    const sent = await scene.control.sendMessage({
      personId: scene.alice.id,
      roomId: scene.directRoomId,
      text: "hello",
    });
    const byBot = await api(scene.emulator, scene.bot.token, "DELETE", `/v1/messages/${sent.id}`);
    expect(byBot.status).toBe(403);
    const byAlice = await api(
      scene.emulator,
      scene.alice.token,
      "DELETE",
      `/v1/messages/${sent.id}`,
    );
    expect(byAlice.status).toBe(204);
    const gone = await api(scene.emulator, scene.alice.token, "GET", `/v1/messages/${sent.id}`);
    expect(gone.status).toBe(404);
    expect(await scene.control.roomMessages(scene.directRoomId)).toEqual([]);
  });
});

describe("mentions in group rooms", () => {
  it("puts the bot's display name first in text and a spark-mention in html", async () => {
    const message = await scene.control.sendMessage({
      personId: scene.alice.id,
      roomId: scene.groupRoomId,
      text: "ping now",
      mentions: [scene.bot.id],
    });
    expect(message.text).toBe("Spark Bot ping now");
    expect(message.html).toBe(
      `<p><spark-mention data-object-type="person" data-object-id="${scene.bot.id}">Spark Bot</spark-mention> ping now</p>`,
    );
    expect(message.mentionedPeople).toEqual([scene.bot.id]);
    const again = await scene.control.sendMessage({
      personId: scene.alice.id,
      roomId: scene.groupRoomId,
      text: "Spark Bot help",
      mentions: [scene.bot.id],
    });
    expect(again.text).toBe("Spark Bot help");
  });
});

describe("listing messages", () => {
  it("refuses a bot in a group room without mentionedPeople=me (403) and filters with it", async () => {
    const plain = await scene.control.sendMessage({
      personId: scene.alice.id,
      roomId: scene.groupRoomId,
      text: "just chatting",
    });
    const mention = await scene.control.sendMessage({
      personId: scene.alice.id,
      roomId: scene.groupRoomId,
      text: "help",
      mentions: [scene.bot.id],
    });
    const path = `/v1/messages?roomId=${scene.groupRoomId}`;
    const refused = await api(scene.emulator, scene.bot.token, "GET", path);
    expect(refused.status).toBe(403);
    expect(refused.json["message"]).toMatch(/mentionedPeople=me/);
    const mine = await api(scene.emulator, scene.bot.token, "GET", `${path}&mentionedPeople=me`);
    expect(ids(mine.json["items"])).toEqual([mention.id]);
    const all = await api(scene.emulator, scene.bob.token, "GET", path);
    expect(ids(all.json["items"])).toEqual([mention.id, plain.id]);
  });

  it("lets a bot list a direct room, newest first", async () => {
    const first = await scene.control.sendMessage({
      personId: scene.alice.id,
      roomId: scene.directRoomId,
      text: "one",
    });
    const second = await scene.control.sendMessage({
      personId: scene.alice.id,
      roomId: scene.directRoomId,
      text: "two",
    });
    const list = await api(
      scene.emulator,
      scene.bot.token,
      "GET",
      `/v1/messages?roomId=${scene.directRoomId}`,
    );
    expect(ids(list.json["items"])).toEqual([second.id, first.id]);
    const missing = await api(scene.emulator, scene.bot.token, "GET", "/v1/messages");
    expect(missing.status).toBe(400);
  });

  it("paginates by max with one Link rel=next on the base URL the client used", async () => {
    const sent: string[] = [];
    for (let i = 0; i < 5; i += 1) {
      const m = await scene.control.sendMessage({
        personId: scene.alice.id,
        roomId: scene.directRoomId,
        text: `m${i}`,
      });
      sent.unshift(m.id);
    }
    const port = new URL(scene.emulator.url).port;
    let next: string | undefined =
      `http://localhost:${port}/v1/messages?roomId=${scene.directRoomId}&max=2`;
    const seen: string[] = [];
    const links: string[] = [];
    while (next) {
      const page = await api(scene.emulator, scene.bot.token, "GET", next);
      expect(page.status).toBe(200);
      seen.push(...ids(page.json["items"]));
      const link = page.headers.get("link");
      links.push(link ?? "");
      next = link ? /^<([^>]+)>; rel="next"$/.exec(link)?.[1] : undefined;
    }
    expect(seen).toEqual(sent);
    expect(links).toHaveLength(3);
    expect(links[0]).toMatch(new RegExp(`^<http://localhost:${port}/v1/messages\\?`));
    expect(links[2]).toBe("");
  });

  it("shows every message of a room oldest first through the control API", async () => {
    const asked = await scene.control.sendMessage({
      personId: scene.alice.id,
      roomId: scene.directRoomId,
      text: "ping",
    });
    const reply = await api(scene.emulator, scene.bot.token, "POST", "/v1/messages", {
      roomId: scene.directRoomId,
      markdown: "pong",
    });
    const items = await scene.control.roomMessages(scene.directRoomId);
    expect(items.map((m) => m.id)).toEqual([asked.id, reply.json["id"]]);
    expect(items.every((m) => typeof m.created === "string")).toBe(true);
  });
});

describe("paging back with beforeMessage", () => {
  it("returns every message once, even when many share one millisecond", async () => {
    const sent: string[] = [];
    const clock = { at: Date.parse("2026-01-01T00:00:00Z") };
    await scene.emulator.close();
    scene = await startScene({ now: () => clock.at }); // every message in the same millisecond
    for (let i = 0; i < 30; i += 1) {
      const m = await scene.control.sendMessage({
        personId: scene.alice.id,
        roomId: scene.directRoomId,
        text: `m${i}`,
      });
      sent.push(m.id);
    }
    const seen: string[] = [];
    let beforeMessage: string | undefined;
    for (;;) {
      const query = `roomId=${scene.directRoomId}&max=7${beforeMessage ? `&beforeMessage=${beforeMessage}` : ""}`;
      const page = await api(scene.emulator, scene.bot.token, "GET", `/v1/messages?${query}`);
      const items = page.json["items"] as Message[];
      seen.push(...items.map((m) => m.id));
      if (items.length < 7) break;
      beforeMessage = items.at(-1)?.id;
    }
    expect(seen).toEqual([...sent].reverse());
    const bad = await api(
      scene.emulator,
      scene.bot.token,
      "GET",
      `/v1/messages?roomId=${scene.directRoomId}&beforeMessage=nope`,
    );
    expect(bad.status).toBe(400);
  });
});
