// One websocket client in a process of its own, for the memory comparison (main.ts): `ws`
// (SparkBot's listener session: fetch + the `ws` package) or `sdk` (the webex SDK's device and
// mercury plugins). Reads its settings from argv/env, prints JSON lines: `loaded`, `connected`
// (with memory), `activity` (each activity id seen), `idle` (memory after the idle period).
import { createRequire } from "node:module";
import type { discoverServices, runSession } from "@sparkbot/receiver";

type Memory = { rssMb: number; heapUsedMb: number };
const mode = process.argv[2];
const token = process.env["WS_BENCH_TOKEN"] ?? "";
const base = process.env["WS_BENCH_EMULATOR"] ?? "";
const idleMs = Number(process.env["WS_BENCH_IDLE_MS"] ?? "30000");

function memory(): Memory {
  const gc = (globalThis as { gc?: () => void }).gc;
  gc?.();
  const usage = process.memoryUsage();
  return {
    rssMb: Math.round((usage.rss / 2 ** 20) * 10) / 10,
    heapUsedMb: Math.round((usage.heapUsed / 2 ** 20) * 10) / 10,
  };
}

function report(line: Record<string, unknown>): void {
  process.stdout.write(`${JSON.stringify(line)}\n`);
}

async function connectWs(onActivity: (id: string) => void): Promise<void> {
  // The listener's session and discovery modules alone (they load `ws` and nothing else of the
  // receiver), so that both sides measure the websocket client and not the rest of the service.
  const websocketDir = new URL("../../../services/receiver/dist/websocket/", import.meta.url);
  const session = (await import(new URL("connection.js", websocketDir).href)) as {
    runSession: typeof runSession;
  };
  const discovery = (await import(new URL("discovery.js", websocketDir).href)) as {
    discoverServices: typeof discoverServices;
  };
  const receiver = { ...session, ...discovery };
  report({ event: "loaded", ...memory() });
  const catalog = await receiver.discoverServices(`${base}/u2c/api/v1`, token);
  const answer = await fetch(`${catalog.wdmUrl}/devices`, {
    method: "POST",
    headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
    body: JSON.stringify({ name: "bench-ws", deviceType: "DESKTOP" }),
  });
  const device = (await answer.json()) as { webSocketUrl: string };
  await new Promise<void>((resolve) => {
    void receiver.runSession({
      webSocketUrl: device.webSocketUrl,
      token,
      signal: new AbortController().signal,
      pingIntervalMs: 15_000,
      pongTimeoutMs: 14_000,
      onReady: resolve,
      onActivity: (activity) => {
        onActivity(String(activity["id"]));
        return Promise.resolve();
      },
    });
  });
}

interface SdkWebex {
  ready: boolean;
  once(event: string, fn: () => void): void;
  internal: {
    device: { register(): Promise<void> };
    mercury: { connect(): Promise<void>; on(event: string, fn: (e: unknown) => void): void };
  };
}

async function connectSdk(onActivity: (id: string) => void): Promise<void> {
  const require = createRequire(import.meta.url);
  const core = require("@webex/webex-core") as {
    default: new (attrs: Record<string, unknown>) => SdkWebex;
  };
  for (const plugin of [
    "@webex/plugin-logger",
    "@webex/plugin-authorization-node",
    "@webex/internal-plugin-device",
    "@webex/internal-plugin-mercury",
  ]) {
    require(plugin);
  }
  report({ event: "loaded", ...memory() });
  const webex = new core.default({
    credentials: { access_token: token },
    config: {
      logger: { level: "silent", bufferLogLevel: "silent", historyLength: 0 },
      services: {
        discovery: { hydra: `${base}/v1`, u2c: `${base}/u2c/api/v1` },
        override: { hydra: `${base}/v1` },
      },
    },
  });
  if (!webex.ready) await new Promise<void>((resolve) => webex.once("ready", resolve));
  await webex.internal.device.register();
  webex.internal.mercury.on("event:conversation.activity", (event) => {
    const data = (event as { data?: { activity?: { id?: string } } }).data;
    onActivity(String(data?.activity?.id));
  });
  await webex.internal.mercury.connect();
}

async function main(): Promise<void> {
  report({ event: "start", ...memory() });
  const onActivity = (id: string) => report({ event: "activity", id });
  if (mode === "ws") await connectWs(onActivity);
  else if (mode === "sdk") await connectSdk(onActivity);
  else throw new Error(`mode must be ws or sdk, got ${mode}`);
  report({ event: "connected", ...memory() });
  await new Promise((resolve) => setTimeout(resolve, idleMs));
  report({ event: "idle", ...memory() });
  process.exit(0);
}

main().catch((error: unknown) => {
  report({ event: "error", error: error instanceof Error ? error.message : String(error) });
  process.exit(1);
});
