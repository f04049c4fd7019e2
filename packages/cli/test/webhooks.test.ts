import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { EmulatorControl, startEmulator, type RunningEmulator } from "@sparkbot/emulator";
import { TEST_REDIS_URL, deletePrefix, uniquePrefix } from "@sparkbot/testkit";
import { runWebhooks } from "../src/commands/webhooks.js";
import { sessionPerson, setUpWorld, type EmulatorWorld } from "../src/dev/emulator-setup.js";
import { writeSession } from "../src/dev/session.js";

describe("sparkbot webhooks, against the emulator", () => {
  const prefix = uniquePrefix("cli");
  let emulator: RunningEmulator;
  let control: EmulatorControl;
  let world: EmulatorWorld;
  let dir: string;
  let sessionPath: string;
  const receiverUrl = "http://127.0.0.1:9";

  beforeAll(async () => {
    emulator = await startEmulator({ port: 0 });
    control = new EmulatorControl(emulator.url);
    world = await setUpWorld(control);
    dir = mkdtempSync(join(tmpdir(), "sparkbot-cli-"));
    sessionPath = join(dir, "dev.json");
    writeSession(sessionPath, {
      mode: "emulator",
      startedAt: new Date().toISOString(),
      pid: process.pid,
      redisUrl: TEST_REDIS_URL,
      redisSource: "env",
      redisPrefix: prefix,
      receiverUrl,
      workerUrl: "http://127.0.0.1:9",
      emulator: {
        url: emulator.url,
        apiUrl: emulator.apiUrl,
        chatUrl: `${emulator.url}/chat`,
        bot: sessionPerson(world.bot),
        user: sessionPerson(world.user),
        rooms: world.rooms,
      },
      pids: {},
    });
  });

  afterAll(async () => {
    await emulator?.close();
    await deletePrefix(prefix);
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("webhooks sync registers as a receiver would, with the secret kept in Redis; list and delete", async () => {
    const env = { REDIS_URL: TEST_REDIS_URL, REDIS_PREFIX: prefix };
    const lines: string[] = [];
    const write = (line: string) => lines.push(line);
    const common = { ids: [], all: false, json: false, sessionPath, env, write };
    expect(await runWebhooks({ ...common, action: "sync" })).toBe(0);
    expect(lines.filter((line) => line.startsWith("created "))).toHaveLength(4);

    // No worker has said what its bot handles: every event, unfiltered.
    const hooks = await control.webhooks();
    expect(hooks.map((hook) => `${hook.resource}/${hook.event}`).sort()).toEqual([
      "attachmentActions/created",
      "memberships/created",
      "memberships/deleted",
      "messages/created",
    ]);
    const redis = new Redis(TEST_REDIS_URL);
    const secret = await redis.get(`${prefix}:receiver:webhook-secret`);
    redis.disconnect();
    expect(secret).toMatch(/^[0-9a-f]{64}$/);
    for (const hook of hooks)
      expect(hook).toMatchObject({ targetUrl: `${receiverUrl}/sparkbot`, secret });

    lines.length = 0;
    expect(await runWebhooks({ ...common, action: "sync" })).toBe(0);
    expect(lines.filter((line) => line.startsWith("unchanged "))).toHaveLength(4);

    lines.length = 0;
    expect(await runWebhooks({ ...common, action: "list", json: true })).toBe(0);
    const listed = JSON.parse(lines[0]!) as Record<string, unknown>[];
    expect(listed).toHaveLength(4);
    expect(listed.every((hook) => hook["secret"] === undefined)).toBe(true);

    lines.length = 0;
    expect(await runWebhooks({ ...common, action: "delete", all: true })).toBe(0);
    expect(lines).toHaveLength(4);
    expect(await control.webhooks()).toEqual([]);
    expect(await runWebhooks({ ...common, action: "delete" })).toBe(1);
  }, 30_000);
});
