import { ADAPTIVE_CARD_CONTENT_TYPE, type Message } from "@sparkbot/core";
import { waitFor } from "@sparkbot/testkit";
import { afterEach, describe, expect, it } from "vitest";
import { bot as cardsBot, removedFrom } from "./fixtures/cards-bot.js";
import { startStack, type Stack } from "./helpers/stack.js";

let stack: Stack | undefined;

afterEach(async () => {
  await stack?.close();
  stack = undefined;
});

/** The value of a counter in Prometheus text, summed over the series matching `labels`. */
async function metric(url: string, name: string, labels: Record<string, string>): Promise<number> {
  const text = await (await fetch(url)).text();
  return text
    .split("\n")
    .filter((line) => line.startsWith(`${name}{`))
    .filter((line) => Object.entries(labels).every(([k, v]) => line.includes(`${k}="${v}"`)))
    .reduce((sum, line) => sum + Number(line.slice(line.lastIndexOf(" ") + 1)), 0);
}

async function roomReplies(s: Stack, roomId: string): Promise<Message[]> {
  const messages = await s.control.roomMessages(roomId);
  return messages.filter((m) => m.personId === s.botPerson.id);
}

async function waitForReply(s: Stack, roomId: string, text: string): Promise<Message> {
  return waitFor(
    async () =>
      (await roomReplies(s, roomId)).find((m) => (m.markdown ?? m.text) === text) ?? false,
    { timeoutMs: 15_000, what: `the bot's "${text}"` },
  );
}

async function sendPoll(s: Stack): Promise<Message> {
  await s.say("poll");
  const card = await waitForReply(s, s.room.id, "A lunch poll");
  expect(card.attachments?.[0]?.contentType).toBe(ADAPTIVE_CARD_CONTENT_TYPE);
  return card;
}

describe("cards through the whole system", () => {
  it("sends a card, runs the action of a submission, and answers with a card and text", async () => {
    stack = await startStack("cards");
    const worker = await stack.startWorker({ bot: cardsBot });
    const card = await sendPoll(stack);
    await stack.control.submitCard({
      personId: stack.user.id,
      messageId: card.id,
      button: "Vote",
      inputs: { choice: "sushi" },
    });
    const voted = await waitForReply(stack, stack.room.id, "Ada voted sushi");
    expect(voted.attachments?.[0]?.content).toMatchObject({
      body: [{ type: "FactSet", facts: [{ title: "Ada", value: "sushi" }] }],
    });
    await waitForReply(stack, stack.room.id, "Thanks for voting!");
    const counted = () =>
      metric(worker.metricsUrl, "sparkbot_card_actions_total", { action: "vote", outcome: "ok" });
    await waitFor(async () => (await counted()) === 1, { what: "the card action counted" });
  });

  it("replaces a card: the new one posted where it was, the old one deleted", async () => {
    stack = await startStack("replace");
    await stack.startWorker({ bot: cardsBot });
    const card = await sendPoll(stack);
    await stack.control.submitCard({
      personId: stack.user.id,
      messageId: card.id,
      button: "Close",
    });
    await waitForReply(stack, stack.room.id, "Poll closed");
    const s = stack;
    await waitFor(async () => !(await roomReplies(s, s.room.id)).some((m) => m.id === card.id), {
      what: "the old card deleted",
    });
  });

  it("answers an action no handler takes, logs and counts it", async () => {
    stack = await startStack("unknown");
    const worker = await stack.startWorker({ bot: cardsBot });
    const card = await sendPoll(stack);
    await stack.control.submitCard({
      personId: stack.user.id,
      messageId: card.id,
      button: "Stale",
    });
    await waitForReply(stack, stack.room.id, cardsBot.texts.unknownAction);
    const labels = { action: "(unknown-action)", outcome: "unknown_action" };
    await waitFor(
      async () => (await metric(worker.metricsUrl, "sparkbot_card_actions_total", labels)) === 1,
      {
        what: "the unknown action counted",
      },
    );
  });

  it("delivers a card reply exactly once when Webex created it but answered 500", async () => {
    stack = await startStack("card-once");
    const worker = await stack.startWorker({ bot: cardsBot });
    const card = await sendPoll(stack);
    // The action's first reply (its card) is created, then answered 500: the job is retried.
    await stack.control.fault({
      method: "POST",
      path: "/v1/messages",
      status: 500,
      after: true,
      count: 1,
    });
    await stack.control.submitCard({ personId: stack.user.id, messageId: card.id, button: "Vote" });
    await waitForReply(stack, stack.room.id, "Thanks for voting!");
    const replies = await roomReplies(stack, stack.room.id);
    expect(replies.filter((m) => m.markdown === "Ada voted pizza")).toHaveLength(1);
    expect(replies.map((m) => m.markdown)).toEqual([
      "A lunch poll",
      "Ada voted pizza",
      "Thanks for voting!",
    ]);
    // The retry found the card in the room instead of sending it again.
    const metrics = await (await fetch(worker.metricsUrl)).text();
    expect(metrics).toMatch(/^sparkbot_replies_skipped_total 1$/m);
  });
});

describe("membership events through the whole system", () => {
  it("greets a room the bot is added to, welcomes who joins, and cleans up when removed", async () => {
    stack = await startStack("members");
    const worker = await stack.startWorker({ bot: cardsBot });
    const s = stack;
    // The worker said what its bot handles; the receiver registers the webhooks it needs.
    await waitFor(
      async () =>
        (await s.control.webhooks()).some(
          (hook) =>
            hook.resource === "memberships" &&
            hook.event === "deleted" &&
            hook.filter === `personId=${s.botPerson.id}`,
        ),
      { timeoutMs: 15_000, what: "memberships/deleted filtered on the bot" },
    );
    const bob = await stack.control.createPerson({
      displayName: "Bob",
      email: "bob-members@example.com",
    });
    const room = await stack.control.createRoom({
      title: "Team",
      type: "group",
      members: [stack.user.id],
    });
    await stack.control.addMember({
      roomId: room.id,
      personId: stack.botPerson.id,
      actorId: stack.user.id,
    });
    await waitForReply(stack, room.id, "Hello! Ada added me here.");
    await stack.control.addMember({ roomId: room.id, personId: bob.id });
    await waitForReply(stack, room.id, "Welcome, Bob!");
    await stack.control.removeMember({
      roomId: room.id,
      personId: stack.botPerson.id,
      actorId: stack.user.id,
    });
    await waitFor(() => removedFrom.includes(room.id), { what: "the botRemoved handler" });
    const counted = (event: string) =>
      metric(worker.metricsUrl, "sparkbot_membership_events_total", { event, outcome: "ok" });
    await waitFor(async () => (await counted("botRemoved")) === 1, { what: "botRemoved counted" });
    expect(await counted("botAdded")).toBe(1);
    expect(await counted("personJoined")).toBe(1);
  });

  it("greets again a room the bot is added to a second time", async () => {
    stack = await startStack("readd");
    await stack.startWorker({ bot: cardsBot });
    const room = await stack.control.createRoom({
      title: "Again",
      type: "group",
      members: [stack.user.id],
    });
    const add = () =>
      stack!.control.addMember({
        roomId: room.id,
        personId: stack!.botPerson.id,
        actorId: stack!.user.id,
      });
    await add();
    await waitForReply(stack, room.id, "Hello! Ada added me here.");
    await stack.control.removeMember({ roomId: room.id, personId: stack.botPerson.id });
    await add();
    const s = stack;
    await waitFor(async () => (await roomReplies(s, room.id)).length === 2, {
      what: "the second greeting",
    });
  });
});
