import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { Queue } from "bullmq";
import {
  QUEUE_NAME,
  jobIdFor,
  loadReceiverConfig,
  type EventJob,
  type ReceiverConfig,
} from "@sparkbot/core";
import {
  EmulatorControl,
  startEmulator,
  type ControlPerson,
  type RunningEmulator,
} from "@sparkbot/emulator";
import { TEST_REDIS_URL, deletePrefix, freePort, uniquePrefix, waitFor } from "@sparkbot/testkit";
import { startReceiver, type RunningReceiver } from "../src/start.js";

describe("startReceiver with the emulator", () => {
  let emulator: RunningEmulator;
  let control: EmulatorControl;
  let bot: ControlPerson;
  let user: ControlPerson;
  let prefix: string;
  let inspect: Queue<EventJob>;
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
    prefix = uniquePrefix("start");
    inspect = new Queue<EventJob>(QUEUE_NAME, { connection: { url: TEST_REDIS_URL }, prefix });
    await inspect.waitUntilReady();
  });
  afterEach(async () => {
    await Promise.all(receivers.splice(0).map((receiver) => receiver.close()));
    await inspect.close();
    await deletePrefix(prefix);
  });

  function configFor(port: number, webhookUrl: string): ReceiverConfig {
    return loadReceiverConfig({
      WEBEX_ACCESS_TOKEN: bot.token,
      WEBEX_API_URL: emulator.apiUrl,
      REDIS_URL: TEST_REDIS_URL,
      REDIS_PREFIX: prefix,
      RECEIVER_HOST: "127.0.0.1",
      RECEIVER_PORT: String(port),
      WEBHOOK_URL: webhookUrl,
    });
  }

  it("two receivers of one fleet register one set of webhooks and enqueue a message once", async () => {
    const [portA, portB] = [await freePort(), await freePort()];
    const publicUrl = `http://127.0.0.1:${portA}`; // the fleet's public URL reaches receiver A
    receivers.push(
      ...(await Promise.all([
        startReceiver(configFor(portA, publicUrl), { defaultMetrics: false }),
        startReceiver(configFor(portB, publicUrl), { defaultMetrics: false }),
      ])),
    );
    for (const receiver of receivers) {
      await waitFor(async () => (await fetch(`${receiver.url}/readyz`)).status === 200, {
        what: `${receiver.url} ready`,
      });
    }
    const hooks = (await control.webhooks()).filter((hook) => hook.ownerId === bot.id);
    expect(hooks).toHaveLength(4);
    expect(receivers[0]?.registrar.secret()).toBe(receivers[1]?.registrar.secret());

    const room = await control.createRoom({
      title: "dm",
      type: "direct",
      members: [user.id, bot.id],
    });
    const message = await control.sendMessage({ personId: user.id, roomId: room.id, text: "ping" });
    const deliveries = await control.settledDeliveries();
    const forMessage = deliveries.filter((delivery) => delivery.dataId === message.id);
    expect(forMessage.map((delivery) => delivery.status)).toEqual([202]);

    const job = await inspect.getJob(
      jobIdFor({ resource: "messages", event: "created", data: { id: message.id } }),
    );
    expect(job?.data.event.data.personId).toBe(user.id);
    expect(job?.data.event.actorId).toBe(user.id);
  });

  it("drops the bot's own messages with a 200", async () => {
    const port = await freePort();
    const receiver = await startReceiver(configFor(port, `http://127.0.0.1:${port}`), {
      defaultMetrics: false,
    });
    receivers.push(receiver);
    await waitFor(async () => (await fetch(`${receiver.url}/readyz`)).status === 200, {
      what: "ready",
    });
    const room = await control.createRoom({
      title: "dm",
      type: "direct",
      members: [user.id, bot.id],
    });
    const own = await control.sendMessage({ personId: bot.id, roomId: room.id, text: "**pong**" });
    const deliveries = await control.settledDeliveries();
    expect(deliveries.find((delivery) => delivery.dataId === own.id)?.status).toBe(200);
    const ownJobId = jobIdFor({ resource: "messages", event: "created", data: { id: own.id } });
    expect(await inspect.getJob(ownJobId)).toBeUndefined();
    // The room's memberships/created events were enqueued, for the worker's greetings.
    const jobs = await inspect.getJobs(["waiting"]);
    expect(jobs.map((job) => job.name)).toEqual(["memberships/created", "memberships/created"]);
  });
});
