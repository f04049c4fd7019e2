import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { WebSocket } from "ws";
import { api, startScene, type Scene } from "./support.js";

let scene: Scene;
const sockets: WebSocket[] = [];

beforeEach(async () => {
  scene = await startScene({ deviceLimit: 3 });
});

afterEach(async () => {
  for (const ws of sockets.splice(0)) ws.terminate();
  await scene.emulator.close();
});

type Frame = Record<string, unknown> & { data?: Record<string, unknown> };

/** A websocket with its frames collected, and a way to wait for one. */
function connect(url: string) {
  const ws = new WebSocket(url);
  sockets.push(ws);
  const frames: Frame[] = [];
  const waiters: (() => void)[] = [];
  ws.on("message", (data) => {
    frames.push(JSON.parse(String(data)) as Frame);
    for (const wake of waiters.splice(0)) wake();
  });
  const closed = new Promise<{ code: number; reason: string }>((resolve) =>
    ws.on("close", (code, reason) => resolve({ code, reason: String(reason) })),
  );
  const opened = new Promise<void>((resolve, reject) => {
    ws.once("open", () => resolve());
    ws.once("unexpected-response", (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
    ws.once("error", reject);
  });
  const frame = async (pick: (f: Frame) => boolean): Promise<Frame> => {
    for (;;) {
      const found = frames.find(pick);
      if (found) return found;
      await new Promise<void>((resolve) => waiters.push(resolve));
    }
  };
  return { ws, frames, frame, closed, opened };
}

async function registerDevice(token: string) {
  const catalog = await api(scene.emulator, token, "GET", "/u2c/api/v1/catalog?format=hostmap");
  const wdm = (catalog.json["serviceLinks"] as Record<string, string>)["wdm"] ?? "";
  const created = await api(scene.emulator, token, "POST", `${wdm}/devices`, {
    name: "test-client",
    deviceType: "DESKTOP",
  });
  expect(created.status).toBe(200);
  return { wdm, device: created.json as { url: string; webSocketUrl: string; userId: string } };
}

const isActivity = (verb: string) => (f: Frame) =>
  (f.data?.["activity"] as Record<string, unknown> | undefined)?.["verb"] === verb;

async function authorized(token: string) {
  const { device } = await registerDevice(token);
  const socket = connect(`${device.webSocketUrl}?outboundWireFormat=text&bufferStates=true`);
  await socket.opened;
  socket.ws.send(
    JSON.stringify({ id: "a1", type: "authorization", data: { token: `Bearer ${token}` } }),
  );
  await socket.frame((f) => f.data?.["eventType"] === "mercury.buffer_state");
  return { device, socket };
}

describe("WDM devices and the catalog", () => {
  it("registers, lists, refreshes and deletes devices, up to the device limit", async () => {
    const { wdm, device } = await registerDevice(scene.bot.token);
    expect(device.webSocketUrl).toMatch(/^ws:\/\/.+\/messages$/);
    const token = scene.bot.token;
    expect((await api(scene.emulator, token, "PUT", device.url, device)).status).toBe(200);
    await registerDevice(token);
    await registerDevice(token);
    const refused = await api(scene.emulator, token, "POST", `${wdm}/devices`, { name: "x" });
    expect(refused.status).toBe(403);
    expect(JSON.stringify(refused.json)).toContain("excessive device registrations");
    const list = await api(scene.emulator, token, "GET", `${wdm}/devices`);
    expect((list.json["devices"] as unknown[]).length).toBe(3);
    expect((await api(scene.emulator, token, "DELETE", device.url)).status).toBe(204);
    expect((await api(scene.emulator, token, "PUT", device.url, device)).status).toBe(404);
    expect((await api(scene.emulator, scene.alice.token, "GET", `${wdm}/devices`)).json).toEqual({
      devices: [],
    });
    expect((await api(scene.emulator, "nope", "GET", `${wdm}/devices`)).status).toBe(401);
  });
});

describe("the websocket", () => {
  it("authorizes, answers pings, and sends encrypted-looking activities that are acked", async () => {
    const { socket } = await authorized(scene.bot.token);
    socket.ws.send(JSON.stringify({ id: "p1", type: "ping" }));
    await socket.frame((f) => f["type"] === "pong" && f["id"] === "p1");
    const message = await scene.control.sendMessage({
      personId: scene.alice.id,
      roomId: scene.directRoomId,
      text: "hello there",
    });
    const frame = await socket.frame(isActivity("post"));
    const activity = frame.data?.["activity"] as Record<string, Record<string, unknown>>;
    expect(Buffer.from(message.id, "base64url").toString()).toContain(String(activity["id"]));
    expect(JSON.stringify(frame)).not.toContain("hello there");
    expect(String(activity["object"]?.["displayName"]).split(".")).toHaveLength(5);
    expect(activity["target"]?.["tags"]).toEqual(["ONE_ON_ONE"]);
    expect((await scene.control.websocketState()).pending).not.toEqual({});
    socket.ws.send(JSON.stringify({ type: "ack", messageId: frame["id"] }));
    await expect.poll(async () => (await scene.control.websocketState()).acks).toBe(1);
  });

  it("sends card actions to the card's author and membership changes to the room", async () => {
    const { socket } = await authorized(scene.bot.token);
    const card = await api(scene.emulator, scene.bot.token, "POST", "/v1/messages", {
      roomId: scene.directRoomId,
      text: "card",
      attachments: [
        {
          contentType: "application/vnd.microsoft.card.adaptive",
          content: {
            type: "AdaptiveCard",
            version: "1.2",
            body: [],
            actions: [{ type: "Action.Submit", title: "Go" }],
          },
        },
      ],
    });
    await scene.control.submitCard({
      personId: scene.alice.id,
      messageId: String(card.json["id"]),
      inputs: {},
    });
    const action = await socket.frame(isActivity("cardAction"));
    expect(JSON.stringify(action)).toContain("cardAction");
    await scene.control.removeMember({ roomId: scene.groupRoomId, personId: scene.bob.id });
    await socket.frame(isActivity("leave"));
  });

  it("refuses a bad token and injected refusals with 4401, and closes on the drop fault", async () => {
    const { device } = await registerDevice(scene.bot.token);
    const bad = connect(device.webSocketUrl);
    await bad.opened;
    bad.ws.send(
      JSON.stringify({
        id: "a",
        type: "authorization",
        data: { token: `Bearer ${scene.alice.token}` },
      }),
    );
    expect((await bad.closed).code).toBe(4401);
    await scene.control.refuseWebsocketAuth(1);
    const refused = connect(device.webSocketUrl);
    await refused.opened;
    refused.ws.send(
      JSON.stringify({
        id: "a",
        type: "authorization",
        data: { token: `Bearer ${scene.bot.token}` },
      }),
    );
    expect((await refused.closed).code).toBe(4401);
    const { socket } = await authorized(scene.bot.token);
    await scene.control.dropWebsockets({ code: 1000, reason: "Idle" });
    expect(await socket.closed).toEqual({ code: 1000, reason: "Idle" });
    const unknown = connect(
      device.webSocketUrl.replace(/registrations\/[^/]+/, "registrations/nope"),
    );
    await expect(unknown.opened).rejects.toThrow("HTTP 404");
  });

  it("stops answering pings on the fault, and redelivers unacked frames to the device's next connection", async () => {
    const first = await authorized(scene.bot.token);
    await scene.control.answerWebsocketPings(false);
    first.socket.ws.send(JSON.stringify({ id: "p2", type: "ping" }));
    await scene.control.sendMessage({
      personId: scene.alice.id,
      roomId: scene.directRoomId,
      text: "one",
    });
    await first.socket.frame(isActivity("post"));
    expect(first.socket.frames.some((f) => f["type"] === "pong")).toBe(false);
    first.socket.ws.terminate();
    await scene.control.answerWebsocketPings(true);
    const again = connect(first.device.webSocketUrl);
    await again.opened;
    again.ws.send(
      JSON.stringify({
        id: "a",
        type: "authorization",
        data: { token: `Bearer ${scene.bot.token}` },
      }),
    );
    const redelivered = await again.frame(isActivity("post"));
    expect(redelivered["id"]).toBe(first.socket.frames.find(isActivity("post"))?.["id"]);
  });
});
