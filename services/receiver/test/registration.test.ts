import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { Redis } from "ioredis";
import {
  createWebexClient,
  handledEventsKey,
  serializeHandledEvents,
  silentLogger,
  type LogFields,
  type WebexClient,
} from "@sparkbot/core";
import {
  EmulatorControl,
  startEmulator,
  type ControlPerson,
  type RunningEmulator,
} from "@sparkbot/emulator";
import { TEST_REDIS_URL, deletePrefix, freePort, uniquePrefix, waitFor } from "@sparkbot/testkit";
import { createProducerRedis, waitForRedis } from "../src/redis.js";
import { webhookName } from "../src/registration/reconcile.js";
import {
  startRegistrar,
  type Registrar,
  type RegistrarOptions,
} from "../src/registration/registrar.js";
import { secretKey } from "../src/registration/secret.js";
import { PrivateRedis } from "./helpers.js";

const TARGET_BASE = "http://127.0.0.1:9";
const PATH = "/sparkbot";

describe("webhook registration against the emulator", () => {
  let emulator: RunningEmulator;
  let control: EmulatorControl;
  let bot: ControlPerson;
  let webex: WebexClient;
  let prefix: string;
  const registrars: Registrar[] = [];
  const connections: Redis[] = [];

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
    webex = createWebexClient({ accessToken: bot.token, apiUrl: emulator.apiUrl });
    prefix = uniquePrefix("registration");
  });
  afterEach(async () => {
    await Promise.all(registrars.splice(0).map((registrar) => registrar.stop()));
    connections.splice(0).forEach((redis) => redis.disconnect());
    await deletePrefix(prefix);
  });

  /** The options every registrar of these tests starts with, on `redis`. */
  function baseOptions(redis: Redis): RegistrarOptions {
    return {
      webex,
      redis,
      prefix,
      webhookUrl: TARGET_BASE,
      webhookPath: PATH,
      configuredSecret: undefined,
      removeOtherWebhooks: true,
      checkIntervalSeconds: 300,
      logger: silentLogger,
    };
  }

  async function registrar(overrides: Partial<RegistrarOptions> = {}): Promise<Registrar> {
    const redis = createProducerRedis(TEST_REDIS_URL);
    connections.push(redis);
    await waitForRedis(redis, 5000);
    const started = startRegistrar({ ...baseOptions(redis), lock: { pollMs: 20 }, ...overrides });
    registrars.push(started);
    return started;
  }
  const botHooks = async () => (await control.webhooks()).filter((hook) => hook.ownerId === bot.id);

  it("creates one webhook per handled event, with a secret generated once and kept in Redis", async () => {
    const first = await registrar();
    await waitFor(() => first.registered(), { what: "registration" });
    const hooks = await botHooks();
    // No worker has said what its bot handles: every event a bot may handle, unfiltered.
    expect(hooks.map((hook) => `${hook.resource}/${hook.event}`).sort()).toEqual([
      "attachmentActions/created",
      "memberships/created",
      "memberships/deleted",
      "messages/created",
    ]);
    const stored = await connections[0]?.get(secretKey(prefix));
    expect(stored).toMatch(/^[0-9a-f]{64}$/);
    expect(first.secret()).toBe(stored);
    expect(first.botId()).toBe(bot.id);
    for (const hook of hooks) {
      expect(hook).toMatchObject({
        targetUrl: TARGET_BASE + PATH,
        secret: stored,
        status: "active",
      });
    }

    const report = await first.runOnce();
    expect(report?.unchanged).toHaveLength(4);
    expect((await botHooks()).map((hook) => hook.id).sort()).toEqual(hooks.map((h) => h.id).sort());
  });

  it("lets two receivers register at once: one webhook per event, one secret", async () => {
    const [a, b] = await Promise.all([registrar(), registrar()]);
    await waitFor(() => a.registered() && b.registered(), { what: "both registrations" });
    expect(await botHooks()).toHaveLength(4);
    expect(a.secret()).toBeDefined();
    expect(a.secret()).toBe(b.secret());
    await Promise.all([a.runOnce(), b.runOnce(), a.runOnce(), b.runOnce()]);
    const hooks = await botHooks();
    expect(hooks).toHaveLength(4);
    expect(new Set(hooks.map((hook) => hook.secret))).toEqual(new Set([a.secret()]));
  });

  it("uses WEBHOOK_SECRET when set, updating existing webhooks in place", async () => {
    const stale = await webex.webhooks.create({
      name: webhookName({ resource: "messages", event: "created" }),
      targetUrl: "http://old.example.test/sparkbot",
      resource: "messages",
      event: "created",
      secret: "old",
    });
    const other = await webex.webhooks.create({
      name: "someone else's",
      targetUrl: "http://elsewhere.example.test/",
      resource: "rooms",
      event: "all",
    });
    const registered = await registrar({ configuredSecret: "from-env" });
    await waitFor(() => registered.registered(), { what: "registration" });
    const hooks = await botHooks();
    expect(hooks).toHaveLength(4);
    const messages = hooks.find((hook) => hook.resource === "messages");
    expect(messages).toMatchObject({
      id: stale.id,
      targetUrl: TARGET_BASE + PATH,
      secret: "from-env",
    });
    expect(hooks.find((hook) => hook.id === other.id)).toBeUndefined();
    expect(await connections[0]?.get(secretKey(prefix))).toBeNull();
  });

  it("keeps the account's other webhooks when removing them is turned off", async () => {
    const other = await webex.webhooks.create({
      name: "someone else's",
      targetUrl: "http://elsewhere.example.test/",
      resource: "rooms",
      event: "all",
    });
    const registered = await registrar({ removeOtherWebhooks: false });
    await waitFor(() => registered.registered(), { what: "registration" });
    const hooks = await botHooks();
    expect(hooks).toHaveLength(5);
    expect(hooks.some((hook) => hook.id === other.id)).toBe(true);
  });

  it("registers what the workers' bot handles, filtered, and follows a change of bot at once", async () => {
    const seed = createProducerRedis(TEST_REDIS_URL);
    connections.push(seed);
    await waitForRedis(seed, 5000);
    const key = handledEventsKey(prefix);
    await seed.set(key, serializeHandledEvents({ memberships: ["botAdded"] }));
    const registered = await registrar({ handledEventsPollMs: 50 });
    await waitFor(() => registered.registered(), { what: "registration" });
    const summary = async () =>
      (await botHooks())
        .map((hook) => `${hook.resource}/${hook.event}${hook.filter ? `?${hook.filter}` : ""}`)
        .sort();
    expect(await summary()).toEqual([
      "attachmentActions/created",
      `memberships/created?personId=${bot.id}`,
      "messages/created",
    ]);
    const filtered = (await botHooks()).find((hook) => hook.resource === "memberships");
    // A new version of the bot greets everyone who joins, and says goodbye to who leaves.
    await seed.set(
      key,
      serializeHandledEvents({ memberships: ["botAdded", "personJoined", "personLeft"] }),
    );
    const wanted = [
      "attachmentActions/created",
      "memberships/created",
      "memberships/deleted",
      "messages/created",
    ];
    await waitFor(async () => JSON.stringify(await summary()) === JSON.stringify(wanted), {
      what: "the webhooks of the new bot",
    });
    // Webex cannot change a filter: the filtered webhook was replaced, not kept.
    expect((await botHooks()).some((hook) => hook.id === filtered?.id)).toBe(false);
  });

  it("sets a webhook Webex made inactive active again, at the periodic check", async () => {
    const user = await control.createPerson({ displayName: "User", email: "user@example.com" });
    const room = await control.createRoom({
      title: "dm",
      type: "direct",
      members: [user.id, bot.id],
    });
    const deadTarget = `http://127.0.0.1:${await freePort()}`;
    const warnings: string[] = [];
    const logger = {
      ...silentLogger,
      warn: (message: string, _fields?: LogFields) => void warnings.push(message),
      child: () => logger,
    };
    const registered = await registrar({
      webhookUrl: deadTarget,
      checkIntervalSeconds: 0.3,
      logger,
    });
    await waitFor(() => registered.registered(), { what: "registration" });

    const messagesHook = (await botHooks()).find((hook) => hook.resource === "messages");
    // Watch the emulator's own state at each delivery: a periodic check may revive it at once.
    let sawInactive = false;
    emulator.events.on("delivery", () => {
      const record = emulator.store.webhooks.get(messagesHook?.id ?? "");
      if (record?.webhook.status === "inactive") sawInactive = true;
    });
    // Webex sets a webhook inactive after 100 failed deliveries in 5 minutes: make them fail.
    for (let i = 0; i < 100; i += 1) {
      await control.sendMessage({ personId: user.id, roomId: room.id, text: `hello ${i}` });
    }
    await control.settledDeliveries();
    emulator.events.removeAllListeners("delivery");
    expect(sawInactive).toBe(true);
    const dead = messagesHook;

    await waitFor(() => warnings.includes("inactive webhooks set active again"), {
      timeoutMs: 30_000,
      what: "the periodic check to reactivate the webhook",
    });
    expect((await botHooks()).find((hook) => hook.id === dead?.id)?.status).toBe("active");
  });

  it("registers nothing without WEBHOOK_URL, and says so once", async () => {
    const lines: string[] = [];
    const logger = {
      ...silentLogger,
      info: (message: string) => void lines.push(message),
      child: () => logger,
    };
    const registered = await registrar({ webhookUrl: undefined, logger });
    await waitFor(() => registered.secret() !== undefined && registered.botId() !== undefined, {
      what: "secret and identity",
    });
    expect(registered.registered()).toBe(true);
    expect(await botHooks()).toHaveLength(0);
    expect(lines.filter((line) => line.includes("WEBHOOK_URL"))).toHaveLength(1);
  });

  it("loads the secret and registers when Redis comes up after the start, not at the next timed retry", async () => {
    const privateRedis = await PrivateRedis.start();
    await privateRedis.stop();
    const redis = createProducerRedis(privateRedis.url);
    connections.push(redis);
    try {
      const warnings: string[] = [];
      const logger = {
        ...silentLogger,
        warn: (message: string) => void warnings.push(message),
        child: () => logger,
      };
      // The next timed retry is minutes away: only Redis becoming ready can bring it sooner.
      const started = startRegistrar({ ...baseOptions(redis), logger, retryDelayMs: 600_000 });
      registrars.push(started);
      await waitFor(() => warnings.includes("webhook registration round failed; retrying"), {
        timeoutMs: 30_000,
        what: "the first round to fail",
      });
      expect(started.secret()).toBeUndefined();
      expect(started.registered()).toBe(false);
      await privateRedis.start();
      await waitFor(() => started.registered(), { timeoutMs: 60_000, what: "registration" });
      expect(started.secret()).toMatch(/^[0-9a-f]{64}$/);
      expect(await botHooks()).toHaveLength(4);
    } finally {
      await Promise.all(registrars.splice(0).map((registrar) => registrar.stop()));
      await privateRedis.stop();
    }
  });

  it("retries a failed round until Webex answers", async () => {
    await control.fault({ method: "GET", path: "/v1/webhooks", status: 503, count: 2 });
    const registered = await registrar({ retryDelayMs: 50 });
    await waitFor(() => registered.registered(), { timeoutMs: 10_000, what: "registration" });
    expect(await botHooks()).toHaveLength(4);
  });
});
