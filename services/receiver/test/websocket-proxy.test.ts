import { localhostTls } from "../../../test-support/tls.js";
import { createServer as createHttpsServer } from "node:https";
import type { AddressInfo } from "node:net";
import { WebSocket, WebSocketServer } from "ws";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { Queue } from "bullmq";
import { QUEUE_NAME, jobIdFor, type EventJob } from "@sparkbot/core";
import {
  EmulatorControl,
  MERCURY_PATH,
  WDM_PATH,
  startEmulator,
  type ControlPerson,
  type RunningEmulator,
} from "@sparkbot/emulator";
import {
  TEST_REDIS_URL,
  deletePrefix,
  startConnectProxy,
  uniquePrefix,
  waitFor,
  type TestProxy,
} from "@sparkbot/testkit";
import { startReceiver, type RunningReceiver } from "../src/start.js";
import { createWebexHttp } from "../src/websocket/webex-http.js";
import { FAST_WEBSOCKET, receiverConfig } from "./websocket-helpers.js";

/*
 * The websocket listener behind a real CONNECT proxy (HTTPS_PROXY/HTTP_PROXY): the catalog,
 * WDM and the websocket itself go through the tunnel, unless NO_PROXY names the host.
 */

let emulator: RunningEmulator;
let control: EmulatorControl;
let proxy: TestProxy;
let bot: ControlPerson;
let user: ControlPerson;
const prefixes: string[] = [];
const receivers: RunningReceiver[] = [];
const queues: Queue<EventJob>[] = [];

beforeAll(async () => {
  emulator = await startEmulator();
  control = new EmulatorControl(emulator.url);
});
afterAll(async () => {
  await emulator?.close();
});
beforeEach(async () => {
  await control.reset();
  proxy = await startConnectProxy();
  bot = await control.createPerson({ displayName: "Bot", email: "bot@example.com", type: "bot" });
  user = await control.createPerson({ displayName: "User", email: "user@example.com" });
});
afterEach(async () => {
  await Promise.all(receivers.splice(0).map((r) => r.close()));
  await Promise.all(queues.splice(0).map((q) => q.close()));
  await Promise.all(prefixes.splice(0).map((p) => deletePrefix(p)));
  await proxy.close();
});

async function startListening(env: Record<string, string>): Promise<Queue<EventJob>> {
  const prefix = uniquePrefix("ws-proxy");
  prefixes.push(prefix);
  const config = await receiverConfig(emulator, bot.token, prefix, undefined, env);
  const receiver = await startReceiver(config, {
    defaultMetrics: false,
    websocket: FAST_WEBSOCKET,
  });
  receivers.push(receiver);
  await waitFor(() => receiver.listener?.status().connected === true, {
    what: "socket up",
    timeoutMs: 20_000,
  });
  const queue = new Queue<EventJob>(QUEUE_NAME, { connection: { url: TEST_REDIS_URL }, prefix });
  queues.push(queue);
  return queue;
}

/** A user's message to the bot becomes its job in the queue. */
async function messageBecomesJob(queue: Queue<EventJob>): Promise<void> {
  const room = await control.createRoom({
    title: "dm",
    type: "direct",
    members: [user.id, bot.id],
  });
  const message = await control.sendMessage({ personId: user.id, roomId: room.id, text: "hi" });
  const jobId = jobIdFor({ resource: "messages", event: "created", data: { id: message.id } });
  const job = await waitFor(async () => (await queue.getJob(jobId)) ?? undefined, {
    what: "the message's job",
    timeoutMs: 20_000,
  });
  expect(job.data.event.data.id).toBe(message.id);
}

describe("websocket listener behind a proxy", () => {
  it("reaches the catalog, WDM and the websocket through HTTPS_PROXY/HTTP_PROXY", async () => {
    const queue = await startListening({ HTTPS_PROXY: proxy.url, HTTP_PROXY: proxy.url });
    const target = new URL(emulator.apiUrl).host;
    const through = proxy.requests.filter((r) => r.target === target).map((r) => r.line);
    expect(through.some((line) => line.startsWith("GET /u2c/api/v1/catalog"))).toBe(true);
    expect(through.some((line) => line.includes(`${WDM_PATH}/devices`))).toBe(true);
    expect(through.some((line) => line.startsWith(`GET ${MERCURY_PATH}/`))).toBe(true);
    // Every tunnel goes to the emulator; the REST pools and the websocket each open their own.
    expect(proxy.tunnels.length).toBeGreaterThanOrEqual(2);
    expect(new Set(proxy.tunnels)).toEqual(new Set([target]));
    await messageBecomesJob(queue);
  });

  it("goes direct when NO_PROXY names the emulator's host", async () => {
    const host = new URL(emulator.apiUrl).hostname;
    const queue = await startListening({
      HTTPS_PROXY: proxy.url,
      HTTP_PROXY: proxy.url,
      NO_PROXY: `example.test,${host}`,
    });
    await messageBecomesJob(queue);
    expect(proxy.tunnels).toEqual([]);
  });
});

describe("createWebexHttp's websocket agent", () => {
  it("tunnels wss through HTTPS_PROXY and ws through HTTP_PROXY, except NO_PROXY hosts", async () => {
    const http = createWebexHttp({ httpsProxy: "http://proxy.test:3128", noProxy: "inside.test" });
    expect(http.socketAgent("wss://mercury.example.test/v1")).toBeDefined();
    expect(http.socketAgent("ws://mercury.example.test/v1")).toBeUndefined();
    expect(http.socketAgent("wss://mercury.inside.test/v1")).toBeUndefined();
    await http.close();
    const plain = createWebexHttp({ httpProxy: "http://proxy.test:3128" });
    expect(plain.socketAgent("ws://127.0.0.1:1/x")).toBeDefined();
    expect(plain.socketAgent("wss://127.0.0.1:1/x")).toBeUndefined();
    await plain.close();
    expect(createWebexHttp(undefined).socketAgent("wss://x.test/")).toBeUndefined();
  });
});

describe("a wss: websocket through HTTPS_PROXY", () => {
  it("is tunnelled with CONNECT, TLS to the server inside the tunnel", async () => {
    // A test-only self-signed certificate for `localhost` (fixtures/, valid for 100 years).
    const { cert, key } = localhostTls();
    const server = createHttpsServer({ cert, key });
    const sockets = new WebSocketServer({ server });
    sockets.on("connection", (socket) => socket.send("hello over tls"));
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const url = `wss://localhost:${(server.address() as AddressInfo).port}/messages`;
    const http = createWebexHttp({ httpsProxy: proxy.url });
    const ws = new WebSocket(url, { agent: http.socketAgent(url), ca: cert });
    try {
      const first = await new Promise<string>((resolve, reject) => {
        ws.on("message", (data) => resolve(String(data)));
        ws.on("error", reject);
      });
      expect(first).toBe("hello over tls");
      expect(proxy.tunnels).toEqual([new URL(url).host]);
    } finally {
      ws.terminate();
      await http.close();
      sockets.close();
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
