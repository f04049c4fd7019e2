import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { Queue } from "bullmq";
import {
  QUEUE_NAME,
  handledEventsKey,
  jobIdFor,
  serializeHandledEvents,
  type EventJob,
} from "@sparkbot/core";
import { Redis } from "ioredis";
import {
  EmulatorControl,
  startEmulator,
  type ControlPerson,
  type RunningEmulator,
} from "@sparkbot/emulator";
import { TEST_REDIS_URL, deletePrefix, uniquePrefix, waitFor } from "@sparkbot/testkit";
import { startReceiver, type RunningReceiver } from "../src/start.js";
import { FAST_WEBSOCKET, receiverConfig } from "./websocket-helpers.js";

/*
 * The websocket listener against the emulator and real Redis: each event it enqueues is the job
 * the webhook path enqueues (same id, same data), whichever arrives first.
 */

let emulator: RunningEmulator;
let control: EmulatorControl;
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
  bot = await control.createPerson({ displayName: "Bot", email: "bot@example.com", type: "bot" });
  user = await control.createPerson({ displayName: "User", email: "user@example.com" });
});
afterEach(async () => {
  await Promise.all(receivers.splice(0).map((r) => r.close()));
  await Promise.all(queues.splice(0).map((q) => q.close()));
  await Promise.all(prefixes.splice(0).map((p) => deletePrefix(p)));
});

function queueOf(prefix: string): Queue<EventJob> {
  const queue = new Queue<EventJob>(QUEUE_NAME, { connection: { url: TEST_REDIS_URL }, prefix });
  queues.push(queue);
  return queue;
}

async function start(prefix: string, mode: "webhook" | "websocket"): Promise<RunningReceiver> {
  const config = await receiverConfig(
    emulator,
    bot.token,
    prefix,
    mode === "webhook" ? (port) => `http://127.0.0.1:${port}` : undefined,
  );
  const receiver = await startReceiver(config, {
    defaultMetrics: false,
    websocket: FAST_WEBSOCKET,
  });
  receivers.push(receiver);
  await waitFor(async () => (await fetch(`${receiver.url}/readyz`)).status === 200, {
    what: `${mode} receiver ready`,
    timeoutMs: 20_000,
  });
  if (mode === "websocket") {
    await waitFor(() => receiver.listener?.status().connected === true, {
      what: "socket up",
      timeoutMs: 20_000,
    });
  }
  return receiver;
}

async function jobsOf(queue: Queue<EventJob>): Promise<Map<string, EventJob>> {
  const jobs = await queue.getJobs(["waiting", "active", "delayed", "completed", "failed"]);
  return new Map(jobs.map((job) => [job.id ?? "", job.data]));
}

describe("websocket mode: the same jobs as webhooks", () => {
  it("a message, a card submission and a membership event each give the webhook's job", async () => {
    const [hooked, listened] = [uniquePrefix("ws-hook"), uniquePrefix("ws-sock")];
    prefixes.push(hooked, listened);
    await start(hooked, "webhook");
    await start(listened, "websocket");
    const [hookQueue, sockQueue] = [queueOf(hooked), queueOf(listened)];

    const room = await control.createRoom({
      title: "dm",
      type: "direct",
      members: [user.id, bot.id],
    });
    const message = await control.sendMessage({
      personId: user.id,
      roomId: room.id,
      text: "hello",
    });
    const card = await fetch(`${emulator.apiUrl}/messages`, {
      method: "POST",
      headers: { authorization: `Bearer ${bot.token}`, "content-type": "application/json" },
      body: JSON.stringify({
        roomId: room.id,
        text: "card",
        attachments: [
          {
            contentType: "application/vnd.microsoft.card.adaptive",
            content: {
              type: "AdaptiveCard",
              version: "1.2",
              body: [],
              actions: [{ type: "Action.Submit", title: "Go", data: { action: "go" } }],
            },
          },
        ],
      }),
    }).then((r) => r.json() as Promise<{ id: string }>);
    const action = await control.submitCard({
      personId: user.id,
      messageId: card.id,
      button: "Go",
    });
    const group = await control.createRoom({ title: "team", type: "group", members: [user.id] });
    await control.addMember({ roomId: group.id, personId: bot.id, actorId: user.id });

    const wanted = [
      jobIdFor({ resource: "messages", event: "created", data: { id: message.id } }),
      jobIdFor({ resource: "attachmentActions", event: "created", data: { id: action.id } }),
    ];
    const byWebhook = await waitFor(
      async () => {
        const jobs = await jobsOf(hookQueue);
        const membership = [...jobs.keys()].filter((id) => id.startsWith("memberships-created"));
        return wanted.every((id) => jobs.has(id)) && membership.length > 0 ? jobs : undefined;
      },
      { what: "webhook jobs", timeoutMs: 20_000 },
    );
    const bySocket = await waitFor(
      async () => {
        const jobs = await jobsOf(sockQueue);
        return [...byWebhook.keys()].every((id) => jobs.has(id)) ? jobs : undefined;
      },
      { what: "websocket jobs with the webhook's ids", timeoutMs: 20_000 },
    );
    expect([...bySocket.keys()].sort()).toEqual([...byWebhook.keys()].sort());
    for (const [id, job] of byWebhook) {
      expect(bySocket.get(id)?.event.data, id).toEqual(job.event.data);
      expect(bySocket.get(id)?.event.resource).toBe(job.event.resource);
      expect(bySocket.get(id)?.event.actorId).toBe(job.event.actorId);
    }
    // The bot's own card message came over the socket too, and was skipped like its webhook.
    expect(
      bySocket.has(jobIdFor({ resource: "messages", event: "created", data: { id: card.id } })),
    ).toBe(false);
  });

  it("a webhook receiver and a listener on one queue enqueue each event once", async () => {
    const prefix = uniquePrefix("ws-both");
    prefixes.push(prefix);
    const hook = await start(prefix, "webhook");
    const sock = await start(prefix, "websocket");
    const room = await control.createRoom({
      title: "dm",
      type: "direct",
      members: [user.id, bot.id],
    });
    const sent = [];
    for (let i = 0; i < 5; i += 1) {
      sent.push(
        await control.sendMessage({ personId: user.id, roomId: room.id, text: `ping ${i}` }),
      );
    }
    const queue = queueOf(prefix);
    const ids = sent.map((m) =>
      jobIdFor({ resource: "messages", event: "created", data: { id: m.id } }),
    );
    await waitFor(
      async () => {
        const text = await sock.metrics.render();
        return sumOutcomes(text) >= 5;
      },
      { what: "the listener saw all five", timeoutMs: 20_000 },
    );
    await control.settledDeliveries();
    const jobs = await jobsOf(queue);
    const messageJobs = [...jobs.keys()].filter((id) => id.startsWith("messages-created"));
    expect(messageJobs.sort()).toEqual([...ids].sort());
    // Each message reached both ingresses: one stored its job, the other found it there.
    const hookDuplicates = Number(
      /sparkbot_receiver_requests_total\{outcome="duplicate"\} (\d+)/.exec(
        await hook.metrics.render(),
      )?.[1] ?? 0,
    );
    const sockDuplicates = Number(
      /sparkbot_websocket_events_total\{kind="messages\/created",outcome="duplicate"\} (\d+)/.exec(
        await sock.metrics.render(),
      )?.[1] ?? 0,
    );
    expect(hookDuplicates + sockDuplicates).toBeGreaterThanOrEqual(5);
  });

  it("enqueues only the membership events the workers said the bot handles", async () => {
    const prefix = uniquePrefix("ws-members");
    prefixes.push(prefix);
    const redis = new Redis(TEST_REDIS_URL);
    await redis.set(
      handledEventsKey(prefix),
      serializeHandledEvents({ memberships: ["botAdded"] }),
    );
    await redis.quit();
    const sock = await start(prefix, "websocket");
    const group = await control.createRoom({ title: "team", type: "group", members: [user.id] });
    await control.addMember({ roomId: group.id, personId: bot.id, actorId: user.id });
    const other = await control.createPerson({ displayName: "Other", email: "o@example.com" });
    await control.addMember({ roomId: group.id, personId: other.id, actorId: user.id });
    const queue = queueOf(prefix);
    await waitFor(
      async () =>
        /kind="memberships\/created",outcome="skipped"\} 1/.test(await sock.metrics.render()),
      { what: "the other person's arrival skipped", timeoutMs: 20_000 },
    );
    const jobs = await waitFor(
      async () => {
        const all = [...(await jobsOf(queue)).values()];
        const found = all.filter((j) => j.event.resource === "memberships");
        return found.length > 0 ? found : undefined;
      },
      { what: "the bot's arrival enqueued", timeoutMs: 20_000 },
    );
    expect(jobs.map((j) => j.event.data.personId)).toEqual([bot.id]);
  });
});

function sumOutcomes(metrics: string): number {
  let total = 0;
  for (const match of metrics.matchAll(
    /sparkbot_websocket_events_total\{kind="messages\/created",outcome="(?:accepted|duplicate|journaled)"\} (\d+)/g,
  )) {
    total += Number(match[1]);
  }
  return total;
}
