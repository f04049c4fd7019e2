import { ConfigError, DEFAULT_REPLY_TEXTS, SparkBot, type Room } from "@sparkbot/core";
import type { ControlPerson } from "@sparkbot/emulator";
import { waitFor } from "@sparkbot/testkit";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { RunningWorker } from "../src/index.js";
import { TEST_BOT_PATH, spawnWorker } from "./helpers/child-worker.js";
import { startStack, texts, type Stack } from "./helpers/stack.js";

// The command layer through the whole path: emulator → receiver → Redis → worker → emulator,
// with the access rules read from the worker's environment.

const HEADER = "Type `help [command]` for more specific help about any of these commands:";

function commandBot(): SparkBot {
  return new SparkBot()
    .command("ping", () => "**pong**")
    .command("args", ({ commandline }) => `\`${JSON.stringify(commandline)}\``)
    .command(["deploy", "ship"], { help: "Deploys." }, () => "deployed");
}

let stack: Stack;
let worker: RunningWorker | undefined;
/** Grace (another domain) and Helper (another bot), in a group room with Ada and the bot. */
let grace: ControlPerson;
let helper: ControlPerson;
let group: Room;

beforeAll(async () => {
  stack = await startStack("access");
  grace = await stack.control.createPerson({ displayName: "Grace", email: "grace@other.test" });
  helper = await stack.control.createPerson({
    displayName: "Helper",
    email: "helper-access@webex.bot",
    type: "bot",
  });
  group = await stack.control.createRoom({
    title: "group",
    type: "group",
    members: [stack.user.id, grace.id, helper.id, stack.botPerson.id],
  });
});

afterEach(async () => {
  await worker?.close();
  worker = undefined;
});

afterAll(async () => {
  await stack.close();
});

/** `person` writes `text` in the group room, mentioning the bot. */
function inGroup(person: ControlPerson, text: string) {
  return stack.control.sendMessage({
    personId: person.id,
    roomId: group.id,
    text,
    mentions: [stack.botPerson.id],
  });
}

/** The bot's replies in `room`, as markdown. */
async function repliesIn(room: Room): Promise<string[]> {
  const messages = await stack.control.roomMessages(room.id);
  return messages
    .filter((message) => message.personId === stack.botPerson.id)
    .map((message) => message.markdown ?? message.text ?? "");
}

/** The value of a counter of the worker's registry with these labels (0 when absent). */
async function counter(name: string, labels: Record<string, string>): Promise<number> {
  const metric = worker?.metrics.registry.getSingleMetric(name);
  const values = metric === undefined ? [] : (await metric.get()).values;
  const match = values.find((value) =>
    Object.entries(labels).every(([key, wanted]) => value.labels[key] === wanted),
  );
  return match?.value ?? 0;
}

/** Waits until the worker has finished a run of `command` with `outcome`, `count` times. */
async function waitForRuns(command: string, outcome: string, count = 1): Promise<void> {
  await waitFor(
    async () => (await counter("sparkbot_commands_total", { command, outcome })) >= count,
    { timeoutMs: 15_000, what: `${count} ${command} run(s) ending ${outcome}` },
  );
}

describe("parity with the original through the worker", () => {
  it("splits, strips the name and lists commands as the original does", async () => {
    worker = await stack.startWorker({ bot: commandBot() });
    const before = stack.replies().length;
    await stack.say("args a\\ ");
    await stack.waitForReplies(before + 1);
    await stack.say("Test Bot args b\u00a0");
    await stack.waitForReplies(before + 2);
    await stack.say("help");
    await stack.waitForReplies(before + 3);
    await stack.say("help-all");
    const replies = texts(await stack.waitForReplies(before + 4)).slice(before);
    const list = `${HEADER}\n - args\n - deploy, ship\n - help\n - ping`;
    expect(replies).toEqual(['`["args","a "]`', '`["args","b\u00a0"]`', list, list]);
  });
});

describe("access rules from the environment", () => {
  it("refuses by person and command with a reply, a metric and no handler run", async () => {
    worker = await stack.startWorker(
      { bot: commandBot() },
      {
        ACCESS_ALLOW_EMAIL_DOMAINS: "example.com",
        ACCESS_COMMANDS: '{"deploy":{"emails":["boss@example.com"]}}',
      },
    );
    const before = stack.replies().length;
    await stack.say("ship it");
    await stack.waitForReplies(before + 1);
    await stack.say("help");
    await stack.waitForReplies(before + 2);
    await inGroup(grace, "ping");
    await waitForRuns("ping", "denied");
    expect(texts(stack.replies()).slice(before, before + 2)).toEqual([
      DEFAULT_REPLY_TEXTS.accessDenied,
      `${HEADER}\n - args\n - help\n - ping`,
    ]);
    expect(await repliesIn(group)).toContain(DEFAULT_REPLY_TEXTS.accessDenied);
    expect(
      await counter("sparkbot_access_denied_total", { command: "deploy", reason: "person" }),
    ).toBe(1);
    expect(
      await counter("sparkbot_access_denied_total", { command: "ping", reason: "person" }),
    ).toBe(1);
    expect(await counter("sparkbot_commands_total", { command: "deploy", outcome: "denied" })).toBe(
      1,
    );
  });

  it("is silent when told, checks organisations, and refuses when Webex cannot say who wrote", async () => {
    const org = Buffer.from(stack.botPerson.orgId, "base64").toString("utf8").split("/").pop();
    worker = await stack.startWorker(
      { bot: commandBot() },
      {
        ACCESS_ALLOW_ORG_IDS: org ?? "",
        ACCESS_ALLOW_ROOM_TYPES: "direct",
        ACCESS_DENIED: "silent",
      },
    );
    const groupBefore = (await repliesIn(group)).length;
    const before = stack.replies().length;
    await stack.say("ping");
    await stack.waitForReplies(before + 1);
    await inGroup(stack.user, "ping");
    await waitForRuns("ping", "denied");
    expect(await repliesIn(group)).toHaveLength(groupBefore);
    expect(await counter("sparkbot_access_denied_total", { command: "ping", reason: "room" })).toBe(
      1,
    );

    await stack.control.fault({
      method: "GET",
      path: `/v1/people/${stack.user.id}`,
      status: 503,
      count: 1,
    });
    await stack.say("ping");
    await stack.waitForReplies(before + 2);
    expect(texts(stack.replies()).slice(before)).toEqual([
      "**pong**",
      DEFAULT_REPLY_TEXTS.accessUnverified,
    ]);
    expect(
      await counter("sparkbot_access_denied_total", { command: "ping", reason: "lookup_failed" }),
    ).toBe(1);
  });

  it("ignores other bots unless ACCESS_ALLOW_BOTS is set", async () => {
    worker = await stack.startWorker({ bot: commandBot() });
    const groupBefore = (await repliesIn(group)).length;
    await inGroup(helper, "ping");
    await waitForRuns("ping", "ignored");
    expect(await repliesIn(group)).toHaveLength(groupBefore);
    expect(await counter("sparkbot_access_denied_total", { reason: "from_bot" })).toBe(1);
    await worker.close();

    worker = await stack.startWorker({ bot: commandBot() }, { ACCESS_ALLOW_BOTS: "true" });
    await inGroup(helper, "ping");
    await waitFor(async () => (await repliesIn(group)).length > groupBefore, {
      timeoutMs: 15_000,
      what: "the bot's answer to the other bot",
    });
    expect((await repliesIn(group)).slice(groupBefore)).toEqual(["**pong**"]);
  });
});

describe("bad access settings", () => {
  it("a rule for a command the bot lacks stops the worker at start", async () => {
    await expect(
      stack.startWorker({ bot: commandBot() }, { ACCESS_COMMANDS: '{"deplyo":{}}' }),
    ).rejects.toThrow(ConfigError);
    const child = spawnWorker({
      ...stack.env,
      BOT_MODULE: TEST_BOT_PATH,
      ACCESS_COMMANDS: '{"ping,deplyo":{"emails":["a@example.com"]}}',
    });
    try {
      expect(await child.exited).toBe(1);
      expect(child.stderr().trim()).toBe(
        'sparkbot worker: ACCESS_COMMANDS names "deplyo", which the bot has no command for',
      );
    } finally {
      await child.kill();
    }
  });
});
