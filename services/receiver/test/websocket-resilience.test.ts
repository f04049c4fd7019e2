import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { Queue } from "bullmq";
import { QUEUE_NAME, jobIdFor, type EventJob } from "@sparkbot/core";
import {
  EmulatorControl,
  startEmulator,
  type ControlPerson,
  type RunningEmulator,
} from "@sparkbot/emulator";
import { TEST_REDIS_URL, deletePrefix, uniquePrefix, waitFor } from "@sparkbot/testkit";
import { Redis } from "ioredis";
import { startReceiver, type RunningReceiver } from "../src/start.js";
import { deviceKey } from "../src/websocket/device.js";
import { FAST_WEBSOCKET, receiverConfig } from "./websocket-helpers.js";

/* The listener's reconnects (by close code, with backoff), readiness and device hygiene. */

let emulator: RunningEmulator;
let control: EmulatorControl;
let bot: ControlPerson;
let user: ControlPerson;
let prefix: string;
const receivers: RunningReceiver[] = [];

beforeAll(async () => {
  emulator = await startEmulator();
  control = new EmulatorControl(emulator.url);
});
afterAll(async () => {
  await emulator?.close();
});
beforeEach(async () => {
  await control.reset();
  bot = await control.createPerson({ displayName: "Bot", email: "bot@example.com", type: "bot" });
  user = await control.createPerson({ displayName: "User", email: "user@example.com" });
  prefix = uniquePrefix("ws-res");
});
afterEach(async () => {
  await Promise.all(receivers.splice(0).map((r) => r.close()));
  await deletePrefix(prefix);
});

async function listening(): Promise<RunningReceiver> {
  const config = await receiverConfig(emulator, bot.token, prefix);
  const receiver = await startReceiver(config, {
    defaultMetrics: false,
    websocket: FAST_WEBSOCKET,
  });
  receivers.push(receiver);
  await waitFor(() => receiver.listener?.status().connected === true, {
    what: "socket up",
    timeoutMs: 20_000,
  });
  return receiver;
}

async function jobArrives(roomId: string, text: string): Promise<void> {
  const message = await control.sendMessage({ personId: user.id, roomId, text });
  const queue = new Queue<EventJob>(QUEUE_NAME, { connection: { url: TEST_REDIS_URL }, prefix });
  try {
    const id = jobIdFor({ resource: "messages", event: "created", data: { id: message.id } });
    await waitFor(async () => (await queue.getJob(id)) !== undefined, {
      what: `the job of "${text}"`,
      timeoutMs: 20_000,
    });
  } finally {
    await queue.close();
  }
}

describe("websocket listener resilience", () => {
  it("reconnects with exponential backoff when the socket is dropped and auth is refused", async () => {
    const receiver = await listening();
    const room = await control.createRoom({
      title: "dm",
      type: "direct",
      members: [user.id, bot.id],
    });
    await control.refuseWebsocketAuth(3);
    await control.dropWebsockets({ code: 1006 });
    await waitFor(() => (receiver.listener?.status().reconnects.length ?? 0) >= 4, {
      what: "four reconnects",
      timeoutMs: 20_000,
    });
    await waitFor(() => receiver.listener?.status().connected === true, {
      what: "socket up again",
      timeoutMs: 20_000,
    });
    const reconnects = receiver.listener?.status().reconnects ?? [];
    expect(reconnects.map((r) => r.code)).toEqual([1006, 4401, 4401, 4401]);
    expect(reconnects.map((r) => r.delayMs)).toEqual([100, 200, 400, 800]);
    await jobArrives(room.id, "after the drop");

    // A close Webex sends to make clients come back ("Idle") is retried from the first delay.
    await control.dropWebsockets({ code: 1000, reason: "Idle" });
    await waitFor(() => receiver.listener?.status().reconnects.length === 5, {
      what: "reconnect",
      timeoutMs: 20_000,
    });
    expect(receiver.listener?.status().reconnects[4]).toMatchObject({ code: 1000, delayMs: 100 });
    await waitFor(() => receiver.listener?.status().connected === true, {
      what: "socket up",
      timeoutMs: 20_000,
    });
  });

  it("closes a socket whose pings go unanswered, and reconnects", async () => {
    const receiver = await listening();
    await control.answerWebsocketPings(false);
    await waitFor(
      () => receiver.listener?.status().reconnects.some((r) => r.reason === "pong not received"),
      { what: "pong not received", timeoutMs: 20_000 },
    );
    await control.answerWebsocketPings(true);
    await waitFor(() => receiver.listener?.status().connected === true, {
      what: "socket up again",
      timeoutMs: 20_000,
    });
  });

  it("/readyz answers 503 while the active listener's socket is down, 200 once it is up", async () => {
    const receiver = await listening();
    expect((await fetch(`${receiver.url}/readyz`)).status).toBe(200);
    await control.refuseWebsocketAuth(1000);
    await control.dropWebsockets({ code: 1006 });
    await waitFor(async () => (await fetch(`${receiver.url}/readyz`)).status === 503, {
      what: "readyz 503",
      timeoutMs: 20_000,
    });
    const body = (await (await fetch(`${receiver.url}/readyz`)).json()) as {
      checks: Record<string, boolean>;
    };
    expect(body.checks).toEqual({ redis: true, websocket: false });
    await waitFor(() => receiver.listener?.status().reconnects.some((r) => r.code === 4401), {
      what: "a refused authorization",
      timeoutMs: 20_000,
    });
    await control.refuseWebsocketAuth(0);
    await waitFor(async () => (await fetch(`${receiver.url}/readyz`)).status === 200, {
      what: "readyz 200",
      timeoutMs: 20_000,
    });
    const metrics = await receiver.metrics.render();
    expect(metrics).toMatch(/sparkbot_websocket_connected 1/);
    expect(metrics).toMatch(/sparkbot_websocket_reconnects_total\{reason="4401"\} \d+/);
  });

  it("keeps one device across restarts, and replaces one WDM forgot", async () => {
    for (let i = 0; i < 4; i += 1) {
      const receiver = await listening();
      await receivers.splice(0)[0]?.close();
      expect(receiver.listener?.status().device).toBeDefined();
    }
    const devices = async () =>
      (await control.websocketState()).devices.filter((d) => d.ownerId === bot.id);
    expect(await devices()).toHaveLength(1);
    // Without the Redis record (another deployment's Redis, a flushed one) the device is found by name.
    const redis = new Redis(TEST_REDIS_URL);
    await redis.del(deviceKey(prefix));
    await listening();
    await receivers.splice(0)[0]?.close();
    expect(await devices()).toHaveLength(1);
    // A device WDM deleted is replaced, still one.
    const [only] = await devices();
    await fetch(only?.url ?? "", {
      method: "DELETE",
      headers: { authorization: `Bearer ${bot.token}` },
    });
    const receiver = await listening();
    expect(receiver.listener?.status().device).not.toBe(only?.url);
    expect(await devices()).toHaveLength(1);
    expect(await redis.get(deviceKey(prefix))).toBe(receiver.listener?.status().device);
    await redis.quit();
  });

  it("gets what was sent while it was disconnected", async () => {
    const receiver = await listening();
    const room = await control.createRoom({
      title: "dm",
      type: "direct",
      members: [user.id, bot.id],
    });
    await control.refuseWebsocketAuth(2);
    await control.dropWebsockets({ code: 1006 });
    const sent = await control.sendMessage({
      personId: user.id,
      roomId: room.id,
      text: "while away",
    });
    await waitFor(() => receiver.listener?.status().connected === true, {
      what: "socket up again",
      timeoutMs: 20_000,
    });
    const queue = new Queue<EventJob>(QUEUE_NAME, { connection: { url: TEST_REDIS_URL }, prefix });
    const id = jobIdFor({ resource: "messages", event: "created", data: { id: sent.id } });
    await waitFor(async () => (await queue.getJob(id)) !== undefined, {
      what: "the missed message's job",
      timeoutMs: 20_000,
    });
    await queue.close();
  });

  it("recovers with the backfill what was sent while no listener was connected, on a new device", async () => {
    const first = await listening();
    const room = await control.createRoom({
      title: "dm",
      type: "direct",
      members: [user.id, bot.id],
    });
    const device = first.listener?.status().device ?? "";
    await receivers.splice(0)[0]?.close();
    // The device is gone too (so Webex has nothing buffered for the next listener).
    await fetch(device, { method: "DELETE", headers: { authorization: `Bearer ${bot.token}` } });
    const missed = await control.sendMessage({
      personId: user.id,
      roomId: room.id,
      text: "missed",
    });
    const second = await listening();
    expect(second.listener?.status().device).not.toBe(device);
    const queue = new Queue<EventJob>(QUEUE_NAME, { connection: { url: TEST_REDIS_URL }, prefix });
    const id = jobIdFor({ resource: "messages", event: "created", data: { id: missed.id } });
    await waitFor(async () => (await queue.getJob(id)) !== undefined, {
      what: "the missed message's job, from the backfill",
      timeoutMs: 20_000,
    });
    await queue.close();
    expect(await second.metrics.render()).toMatch(
      /sparkbot_backfill_messages_total\{result="recovered"\} [1-9]/,
    );
  });

  it("a reconnect runs a backfill pass: a message missed meanwhile is enqueued", async () => {
    const receiver = await listening();
    const room = await control.createRoom({
      title: "dm",
      type: "direct",
      members: [user.id, bot.id],
    });
    const device = receiver.listener?.status().device ?? "";
    await control.refuseWebsocketAuth(1000);
    await control.dropWebsockets({ code: 1006 });
    await waitFor(() => receiver.listener?.status().reconnects.some((r) => r.code === 4401), {
      what: "a refused authorization",
      timeoutMs: 20_000,
    });
    // WDM forgets the device: nothing is buffered for it, and the next upgrade is refused (404).
    await fetch(device, { method: "DELETE", headers: { authorization: `Bearer ${bot.token}` } });
    const missed = await control.sendMessage({
      personId: user.id,
      roomId: room.id,
      text: "missed",
    });
    await control.refuseWebsocketAuth(0);
    await waitFor(() => receiver.listener?.status().connected === true, {
      what: "socket up on a new device",
      timeoutMs: 20_000,
    });
    expect(receiver.listener?.status().device).not.toBe(device);
    const queue = new Queue<EventJob>(QUEUE_NAME, { connection: { url: TEST_REDIS_URL }, prefix });
    const id = jobIdFor({ resource: "messages", event: "created", data: { id: missed.id } });
    await waitFor(async () => (await queue.getJob(id)) !== undefined, {
      what: "the missed message's job, from the backfill the reconnect ran",
      timeoutMs: 20_000,
    });
    await queue.close();
  });

  it("at Webex's device cap, says so and retries until a device can be registered", async () => {
    await fetch(`${emulator.url}/_emulator/websocket/device-limit`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ limit: 2 }),
    });
    const register = (name: string) =>
      fetch(`${emulator.url}/wdm/api/v1/devices`, {
        method: "POST",
        headers: { authorization: `Bearer ${bot.token}`, "content-type": "application/json" },
        body: JSON.stringify({ name, deviceType: "DESKTOP" }),
      });
    expect((await register("another-client")).status).toBe(200);
    // The cap is full of another client's devices (none of ours to delete).
    expect((await register("another-client")).status).toBe(200);
    expect((await register("sparkbot-listener")).status).toBe(403);
    const blocked = await startReceiver(await receiverConfig(emulator, bot.token, prefix), {
      defaultMetrics: false,
      websocket: FAST_WEBSOCKET,
    });
    receivers.push(blocked);
    await waitFor(
      () =>
        blocked.listener
          ?.status()
          .reconnects.some((r) => /excessive device registrations/.test(r.reason)),
      { what: "the cap reported", timeoutMs: 20_000 },
    );
    expect(blocked.listener?.status().connected).toBe(false);
    // Room made (another client's device deleted by its owner): the listener gets its device.
    const devices = (await control.websocketState()).devices;
    await fetch(devices[0]?.url ?? "", {
      method: "DELETE",
      headers: { authorization: `Bearer ${bot.token}` },
    });
    await waitFor(() => blocked.listener?.status().connected === true, {
      what: "socket up once a device could be registered",
      timeoutMs: 20_000,
    });
    const names = (await control.websocketState()).devices.map((d) => d.name).sort();
    expect(names).toEqual(["another-client", "sparkbot-listener"]);
  });
});
