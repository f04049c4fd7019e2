import { afterEach, describe, expect, it } from "vitest";
import { FAILURE_LIMIT } from "../src/index.js";
import { startReceiver, type TestReceiver } from "./receiver.js";
import { api, startScene, type Scene } from "./support.js";

let scene: Scene | undefined;
let receiver: TestReceiver | undefined;

afterEach(async () => {
  await scene?.emulator.close();
  await receiver?.close();
  scene = undefined;
  receiver = undefined;
});

describe("fault injection", () => {
  it("answers 429 with Retry-After and Webex's error body, count times, then recovers", async () => {
    scene = await startScene();
    await scene.control.fault({
      method: "GET",
      path: "/v1/people/me",
      status: 429,
      retryAfter: 7,
      count: 2,
    });
    for (let i = 0; i < 2; i += 1) {
      const answer = await api(scene.emulator, scene.bot.token, "GET", "/v1/people/me");
      expect(answer.status).toBe(429);
      expect(answer.headers.get("retry-after")).toBe("7");
      expect(answer.json["trackingId"]).toBe(answer.headers.get("trackingid"));
      expect(answer.json["errors"]).toHaveLength(1);
    }
    const after = await api(scene.emulator, scene.bot.token, "GET", "/v1/people/me");
    expect(after.status).toBe(200);
  });

  it("fails matching calls only: 500 on POST /v1/messages leaves GETs alone", async () => {
    scene = await startScene();
    await scene.control.fault({ method: "POST", path: "/v1/messages", status: 500, count: 1 });
    const get = await api(
      scene.emulator,
      scene.bot.token,
      "GET",
      `/v1/messages?roomId=${scene.directRoomId}`,
    );
    expect(get.status).toBe(200);
    const body = { roomId: scene.directRoomId, text: "x" };
    const failed = await api(scene.emulator, scene.bot.token, "POST", "/v1/messages", body);
    expect(failed.status).toBe(500);
    expect(await scene.control.roomMessages(scene.directRoomId)).toEqual([]);
    const ok = await api(scene.emulator, scene.bot.token, "POST", "/v1/messages", body);
    expect(ok.status).toBe(200);
  });

  it("delays a call, then answers it normally", async () => {
    scene = await startScene();
    await scene.control.fault({ method: "*", path: "/v1/people", delayMs: 300, count: 1 });
    const started = Date.now();
    const answer = await api(scene.emulator, scene.bot.token, "GET", "/v1/people/me");
    expect(answer.status).toBe(200);
    expect(Date.now() - started).toBeGreaterThanOrEqual(280);
  });

  it("lets a slow call take effect even when the client gave up meanwhile", async () => {
    // Webex has the whole request before it is slow: the message is created late, after the
    // client's timeout (what a retry's search for it may miss).
    scene = await startScene();
    await scene.control.fault({ method: "POST", path: "/v1/messages", delayMs: 400, count: 1 });
    const request = fetch(`${scene.emulator.apiUrl}/messages`, {
      method: "POST",
      headers: { authorization: `Bearer ${scene.bot.token}`, "content-type": "application/json" },
      body: JSON.stringify({ roomId: scene.directRoomId, markdown: "late" }),
      signal: AbortSignal.timeout(100),
    });
    // The client's own timeout, not an answer.
    await expect(request).rejects.toMatchObject({ name: "TimeoutError" });
    expect(await scene.control.roomMessages(scene.directRoomId)).toEqual([]);
    const created = await new Promise<unknown[]>((resolve) => {
      scene?.emulator.events.once("message", (message) => resolve([message]));
    });
    expect(created).toMatchObject([{ roomId: scene.directRoomId, markdown: "late" }]);
  });

  it("drops the connection without an answer", async () => {
    scene = await startScene();
    await scene.control.fault({ method: "GET", path: "/v1/rooms", drop: true, count: 1 });
    // A network failure (no HTTP status at all), not an error answer.
    await expect(api(scene.emulator, scene.bot.token, "GET", "/v1/rooms")).rejects.toThrow(
      "fetch failed",
    );
    const next = await api(scene.emulator, scene.bot.token, "GET", "/v1/rooms");
    expect(next.status).toBe(200);
  });

  it("refuses malformed faults", async () => {
    scene = await startScene();
    await expect(
      scene.control.fault({ method: "GET", path: "/v1", count: 0, status: 500 }),
    ).rejects.toThrow(/400/);
    await expect(scene.control.fault({ method: "GET", path: "/v1", count: 1 })).rejects.toThrow(
      /400/,
    );
  });
});

describe("webhook deactivation", () => {
  it(`sets a webhook inactive after ${FAILURE_LIMIT} failures within five minutes`, async () => {
    let clock = Date.parse("2026-01-01T00:00:00Z");
    scene = await startScene({ now: () => clock });
    receiver = await startReceiver("k");
    receiver.status = 503;
    const hook = await api(scene.emulator, scene.bot.token, "POST", "/v1/webhooks", {
      name: "failing",
      targetUrl: receiver.url,
      resource: "messages",
      event: "created",
    });
    const id = String(hook.json["id"]);
    const send = async (n: number) => {
      for (let i = 0; i < n; i += 1) {
        await scene?.control.sendMessage({
          personId: scene.alice.id,
          roomId: scene.directRoomId,
          text: "x",
        });
      }
      await scene?.emulator.deliveriesIdle();
    };
    const status = async () =>
      (await api(scene!.emulator, scene!.bot.token, "GET", `/v1/webhooks/${id}`)).json["status"];

    await send(FAILURE_LIMIT - 1);
    expect(await status()).toBe("active");
    clock += 5 * 60_000 + 1; // the 99 failures age out of the window
    await send(FAILURE_LIMIT - 1);
    expect(await status()).toBe("active");
    await send(1);
    expect(await status()).toBe("inactive");
    const delivered = receiver.received.length;
    await send(1);
    expect(receiver.received.length).toBe(delivered);

    const reactivated = await api(scene.emulator, scene.bot.token, "PUT", `/v1/webhooks/${id}`, {
      name: "failing",
      targetUrl: receiver.url,
      status: "active",
    });
    expect(reactivated.json["status"]).toBe("active");
  });
});

describe("reset", () => {
  it("forgets people, rooms, messages, webhooks, deliveries and faults", async () => {
    scene = await startScene();
    await scene.control.fault({ method: "GET", path: "/v1/people/me", status: 500, count: 5 });
    await scene.control.reset();
    const answer = await api(scene.emulator, scene.bot.token, "GET", "/v1/people/me");
    expect(answer.status).toBe(401);
    expect(await scene.control.deliveries()).toEqual([]);
    const again = await scene.control.createPerson({
      displayName: "Alice",
      email: "alice@example.com",
    });
    const me = await api(scene.emulator, again.token, "GET", "/v1/people/me");
    expect(me.status).toBe(200);
  });
});

describe("delivery log", () => {
  it("keeps only the newest maxDeliveryLog attempts", async () => {
    scene = await startScene({ maxDeliveryLog: 2 });
    await api(scene.emulator, scene.bot.token, "POST", "/v1/webhooks", {
      name: "w",
      targetUrl: "http://127.0.0.1:1/",
      resource: "messages",
      event: "created",
    });
    const sent = [];
    for (const text of ["one", "two", "three"]) {
      sent.push(
        await scene.control.sendMessage({
          personId: scene.alice.id,
          roomId: scene.directRoomId,
          text,
        }),
      );
      await scene.emulator.deliveriesIdle();
    }
    const log = await scene.control.deliveries();
    expect(log.map((d) => d.dataId)).toEqual([sent[1]?.id, sent[2]?.id]);
  });

  it("ignores a query string in a fault's path", async () => {
    scene = await startScene();
    await scene.control.fault({
      method: "GET",
      path: "/v1/messages?roomId=x",
      status: 502,
      count: 1,
    });
    const answer = await api(
      scene.emulator,
      scene.bot.token,
      "GET",
      `/v1/messages?roomId=${scene.directRoomId}`,
    );
    expect(answer.status).toBe(502);
  });
});
