import { afterEach, describe, expect, it } from "vitest";
import { waitFor } from "@sparkbot/testkit";
import { FAILURE_LIMIT, FaultInjector } from "../src/index.js";
import { api, startScene, type Scene } from "./support.js";

let scene: Scene | undefined;

afterEach(async () => {
  await scene?.emulator.close();
  scene = undefined;
});

/** POSTs a message as the bot with a raw fetch, so a dropped connection is a rejection. */
function postAsBot(s: Scene, text: string, signal?: AbortSignal): Promise<Response> {
  return fetch(`${s.emulator.apiUrl}/messages`, {
    method: "POST",
    headers: { authorization: `Bearer ${s.bot.token}`, "content-type": "application/json" },
    body: JSON.stringify({ roomId: s.directRoomId, text }),
    ...(signal ? { signal } : {}),
  });
}

async function botTexts(s: Scene): Promise<string[]> {
  const messages = await s.control.roomMessages(s.directRoomId);
  return messages.filter((m) => m.personId === s.bot.id).map((m) => m.text ?? "");
}

describe("faults after the call took effect (FaultSpec.after)", () => {
  it("creates the message, then answers 500", async () => {
    scene = await startScene();
    await scene.control.fault({
      method: "POST",
      path: "/v1/messages",
      status: 500,
      after: true,
      count: 1,
    });
    const answer = await postAsBot(scene, "created then 500");
    expect(answer.status).toBe(500);
    expect(((await answer.json()) as { message: string }).message).toMatch(/Internal/);
    expect(await botTexts(scene)).toEqual(["created then 500"]);
  });

  it("creates the message, then drops the connection without an answer", async () => {
    scene = await startScene();
    await scene.control.fault({
      method: "POST",
      path: "/v1/messages",
      drop: true,
      after: true,
      count: 1,
    });
    await expect(postAsBot(scene, "created then dropped")).rejects.toThrow(/fetch failed/);
    expect(await botTexts(scene)).toEqual(["created then dropped"]);
  });

  it("creates the message at once and sends the real answer only after delayMs", async () => {
    scene = await startScene();
    await scene.control.fault({
      method: "POST",
      path: "/v1/messages",
      delayMs: 60_000,
      after: true,
      count: 1,
    });
    const controller = new AbortController();
    const pending = postAsBot(scene, "created, answered late", controller.signal);
    const s = scene;
    // The message exists while the client still waits for its answer.
    await waitFor(async () => (await botTexts(s)).length > 0, {
      timeoutMs: 10_000,
      what: "the message",
    });
    expect(await botTexts(s)).toEqual(["created, answered late"]);
    controller.abort(); // the client gives up, as a client timeout would
    // Still no answer: the request ends by the client's abort.
    await expect(pending).rejects.toMatchObject({ name: "AbortError" });
  });

  it("sends the held real answer when the fault only delays", async () => {
    scene = await startScene();
    await scene.control.fault({
      method: "POST",
      path: "/v1/messages",
      delayMs: 50,
      after: true,
      count: 1,
    });
    const answer = await postAsBot(scene, "late but fine");
    expect(answer.status).toBe(200);
    expect(((await answer.json()) as { text: string }).text).toBe("late but fine");
  });

  it("refuses a probability outside (0, 1]", async () => {
    scene = await startScene();
    for (const probability of [0, 1.5, -1]) {
      await expect(
        scene.control.fault({
          method: "POST",
          path: "/v1/messages",
          status: 500,
          probability,
          count: 1,
        }),
      ).rejects.toThrow(/400.*probability/);
    }
  });
});

describe("probabilistic faults", () => {
  it("applies a fault only when its dice say so, and counts only applied ones", () => {
    const rolls = [0.9, 0.1, 0.5, 0.2];
    const injector = new FaultInjector(() => rolls.shift() ?? 0);
    injector.add({ method: "POST", path: "/v1/messages", status: 500, probability: 0.3, count: 2 });
    const taken = [1, 2, 3, 4].map(() => injector.take("POST", "/v1/messages")?.status);
    expect(taken).toEqual([undefined, 500, undefined, 500]);
    expect(injector.list()).toEqual([]);
  });
});

describe("webhook delivery to a target that refuses connections", () => {
  it(`counts toward deactivation: inactive after ${FAILURE_LIMIT} refused deliveries`, async () => {
    scene = await startScene();
    const hook = await api(scene.emulator, scene.bot.token, "POST", "/v1/webhooks", {
      name: "down",
      targetUrl: "http://127.0.0.1:1/sparkbot",
      resource: "messages",
      event: "created",
    });
    const id = String(hook.json["id"]);
    for (let i = 0; i < FAILURE_LIMIT; i += 1) {
      await scene.control.sendMessage({
        personId: scene.alice.id,
        roomId: scene.directRoomId,
        text: `m${i}`,
      });
    }
    await scene.emulator.deliveriesIdle();
    const log = await scene.control.deliveries();
    expect(log).toHaveLength(FAILURE_LIMIT);
    expect(log.every((d) => d.status === null && d.error !== undefined)).toBe(true);
    const status = await api(scene.emulator, scene.bot.token, "GET", `/v1/webhooks/${id}`);
    expect(status.json["status"]).toBe("inactive");
  });
});

describe("GET /v1/rooms?sortBy", () => {
  it("sorts by last activity, most recent first, and refuses unknown keys", async () => {
    scene = await startScene();
    const s = scene;
    const list = async (sortBy: string) =>
      (await api(s.emulator, s.bot.token, "GET", `/v1/rooms?sortBy=${sortBy}`)).json["items"] as {
        id: string;
      }[];
    await s.control.sendMessage({ personId: s.alice.id, roomId: s.groupRoomId, text: "x" });
    await new Promise((resolve) => setTimeout(resolve, 5));
    await s.control.sendMessage({ personId: s.alice.id, roomId: s.directRoomId, text: "y" });
    expect((await list("lastactivity")).map((r) => r.id)).toEqual([s.directRoomId, s.groupRoomId]);
    await new Promise((resolve) => setTimeout(resolve, 5));
    await s.control.sendMessage({ personId: s.alice.id, roomId: s.groupRoomId, text: "z" });
    expect((await list("lastactivity")).map((r) => r.id)).toEqual([s.groupRoomId, s.directRoomId]);
    const bad = await api(s.emulator, s.bot.token, "GET", "/v1/rooms?sortBy=name");
    expect(bad.status).toBe(400);
  });
});
