import { spawn, type ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { Queue } from "bullmq";
import { QUEUE_NAME, jobIdFor, type EventJob } from "@sparkbot/core";
import { EmulatorControl, startEmulator, type RunningEmulator } from "@sparkbot/emulator";
import { TEST_REDIS_URL, deletePrefix, freePort, uniquePrefix, waitFor } from "@sparkbot/testkit";

/*
 * Two listener processes (dist/main.js, INGRESS=websocket) for one bot: one holds the lease and
 * is connected, the other stands by (ready). The active one is killed with SIGKILL — no
 * shutdown, its lease simply lapses — and the standby connects; the gap is measured and
 * printed. A message sent in the gap still becomes its job.
 */

const MAIN = fileURLToPath(new URL("../dist/main.js", import.meta.url));
const LEASE_MS = 3000;

interface Child {
  process: ChildProcess;
  url: string;
  exited: Promise<number | null>;
}

async function spawnListener(env: Record<string, string>): Promise<Child> {
  if (!existsSync(MAIN)) throw new Error(`${MAIN} is missing: run \`pnpm build\` first`);
  const port = await freePort();
  const child = spawn(process.execPath, [MAIN], {
    env: {
      PATH: process.env["PATH"] ?? "",
      ...env,
      RECEIVER_HOST: "127.0.0.1",
      RECEIVER_PORT: String(port),
      JOURNAL_DIR: await mkdtemp(join(tmpdir(), "sparkbot-ws-takeover-")),
    },
    stdio: ["ignore", "ignore", "ignore"],
  });
  const exited = new Promise<number | null>((resolve) => child.once("exit", resolve));
  return { process: child, url: `http://127.0.0.1:${port}`, exited };
}

async function metric(child: Child, name: string): Promise<number | undefined> {
  const text = await (await fetch(`${child.url}/metrics`)).text();
  const match = new RegExp(`^${name} (\\S+)$`, "m").exec(text);
  return match?.[1] === undefined ? undefined : Number(match[1]);
}

describe("websocket listener takeover", () => {
  let emulator: RunningEmulator;
  let control: EmulatorControl;
  const children: Child[] = [];
  const prefixes: string[] = [];

  beforeAll(async () => {
    emulator = await startEmulator();
    control = new EmulatorControl(emulator.url);
  });
  afterEach(async () => {
    for (const child of children.splice(0)) {
      if (child.process.exitCode === null) child.process.kill("SIGKILL");
      await child.exited;
    }
    await Promise.all(prefixes.splice(0).map((prefix) => deletePrefix(prefix)));
  });
  afterAll(async () => {
    await emulator?.close();
  });

  it("a standby connects when the active listener is killed with SIGKILL", async () => {
    const bot = await control.createPerson({
      displayName: "Bot",
      email: "tk@webex.bot",
      type: "bot",
    });
    const user = await control.createPerson({ displayName: "U", email: "tk-user@example.com" });
    const room = await control.createRoom({
      title: "dm",
      type: "direct",
      members: [user.id, bot.id],
    });
    const prefix = uniquePrefix("ws-takeover");
    prefixes.push(prefix);
    const env = {
      WEBEX_ACCESS_TOKEN: bot.token,
      WEBEX_API_URL: emulator.apiUrl,
      WEBEX_CLIENT: "http",
      REDIS_URL: TEST_REDIS_URL,
      REDIS_PREFIX: prefix,
      INGRESS: "websocket",
      WEBSOCKET_LEASE_MS: String(LEASE_MS),
      LOG_LEVEL: "warn",
    };
    const first = await spawnListener(env);
    children.push(first);
    await waitFor(
      async () => (await metric(first, "sparkbot_websocket_connected").catch(() => 0)) === 1,
      {
        what: "the first listener connected",
        timeoutMs: 20_000,
      },
    );
    const second = await spawnListener(env);
    children.push(second);
    await waitFor(
      async () => (await fetch(`${second.url}/readyz`).catch(() => undefined))?.status === 200,
      {
        what: "the standby ready",
        timeoutMs: 20_000,
      },
    );
    expect(await metric(second, "sparkbot_websocket_active")).toBe(0);
    const bots = async () =>
      (await control.websocketState()).connections.filter(
        (c) => c.personId === bot.id && c.authorized,
      );
    expect(await bots()).toHaveLength(1);

    const killedAt = Date.now();
    first.process.kill("SIGKILL");
    await first.exited;
    const inGap = await control.sendMessage({
      personId: user.id,
      roomId: room.id,
      text: "in the gap",
    });
    await waitFor(async () => (await metric(second, "sparkbot_websocket_connected")) === 1, {
      what: "the standby connected",
      timeoutMs: 20_000,
      intervalMs: 50,
    });
    const gapMs = Date.now() - killedAt;
    process.stdout.write(
      `websocket takeover: standby connected ${gapMs} ms after SIGKILL (lease ${LEASE_MS} ms)\n`,
    );
    expect(await bots()).toHaveLength(1);
    const queue = new Queue<EventJob>(QUEUE_NAME, { connection: { url: TEST_REDIS_URL }, prefix });
    const id = jobIdFor({ resource: "messages", event: "created", data: { id: inGap.id } });
    await waitFor(async () => (await queue.getJob(id)) !== undefined, {
      what: "the job of the message sent in the gap",
      timeoutMs: 20_000,
    });
    await queue.close();
    // Both listeners used one device.
    expect(
      (await control.websocketState()).devices.filter((d) => d.ownerId === bot.id),
    ).toHaveLength(1);
  });
});
