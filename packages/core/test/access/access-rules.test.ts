import { describe, expect, test } from "vitest";
import { SparkBot, type AccessPolicy, type AccessRule } from "@sparkbot/core";
import { createTestChat, fakeWebexId, type TestChat } from "@sparkbot/core/testing";

const DENIED = "⚠️ Error: You are not allowed to use this command.";

/** A bot whose `ping` counts its runs, with `access` as its own policy. */
function pingBot(access: AccessPolicy = {}): { bot: SparkBot; runs: () => number } {
  let runs = 0;
  const bot = new SparkBot({ access }).command("ping", () => {
    runs += 1;
    return "pong";
  });
  return { bot, runs: () => runs };
}

/** Counts the chat's `people.get` calls. */
function countPeopleCalls(chat: TestChat): () => number {
  let calls = 0;
  const get = chat.webex.people.get;
  chat.webex.people.get = async (id) => {
    calls += 1;
    return get(id);
  };
  return () => calls;
}

describe("who may use the bot", () => {
  test.each<[string, AccessRule, string, boolean]>([
    ["a listed email, any case", { emails: ["Ada@Example.com"] }, "ada@example.com", true],
    ["an email not listed", { emails: ["ada@example.com"] }, "eve@example.com", false],
    ["a listed domain", { emailDomains: ["example.com"] }, "eve@EXAMPLE.com", true],
    [
      "a subdomain of an exact domain",
      { emailDomains: ["example.com"] },
      "eve@eu.example.com",
      false,
    ],
    ["a subdomain of *.domain", { emailDomains: ["*.example.com"] }, "eve@eu.example.com", true],
    ["the bare domain of *.domain", { emailDomains: ["*.example.com"] }, "eve@example.com", false],
    ["a look-alike domain", { emailDomains: ["example.com"] }, "eve@badexample.com", false],
    [
      "any one of the who-fields",
      { emails: ["boss@other.org"], emailDomains: ["example.com"] },
      "boss@other.org",
      true,
    ],
  ])("%s", async (_label, allow, email, allowed) => {
    const { bot, runs } = pingBot({ allow });
    const run = await createTestChat(bot).run("ping", { from: { email } });
    expect(run.replies).toEqual([allowed ? "pong" : DENIED]);
    expect(run.outcome).toBe(allowed ? "ok" : "denied");
    expect(runs()).toBe(allowed ? 1 : 0);
  });

  test("email and domain rules cost no Webex call", async () => {
    const chat = createTestChat(pingBot({ allow: { emailDomains: ["example.com"] } }).bot);
    const calls = countPeopleCalls(chat);
    expect(await chat.send("ping")).toEqual(["pong"]);
    expect(calls()).toBe(0);
  });

  test("an organisation rule admits that organisation's people only", async () => {
    const bot = new SparkBot();
    const chat = createTestChat(bot);
    // The rule names the organisation by its bare uuid; the person carries the REST form.
    bot.command("whoami", { allow: { orgIds: [uuidOf(chat.webex.orgId)] } }, async ({ caller }) => {
      return (await caller).displayName;
    });
    const calls = countPeopleCalls(chat);
    expect(await chat.send("whoami")).toEqual(["Test User"]);
    // One lookup, shared by the check and the handler's `caller`.
    expect(calls()).toBe(1);
    const outsider = { email: "eve@example.com", orgId: fakeWebexId("ORGANIZATION") };
    expect(await chat.run("whoami", { from: outsider })).toMatchObject({
      replies: [DENIED],
      denial: { reason: "person", rule: "command" },
    });
  });
});

describe("where the bot may be used", () => {
  test("room ids and room types: any one of them", async () => {
    const bot = new SparkBot();
    const chat = createTestChat(bot);
    const ops = chat.webex.addRoom({ type: "group", title: "ops", members: [chat.user] });
    bot.command("deploy", { allow: { roomTypes: ["direct"], roomIds: [uuidOf(ops.id)] } }, () => {
      return "deployed";
    });
    expect(await chat.send("deploy")).toEqual(["deployed"]);
    expect(await chat.send("deploy", { room: ops })).toEqual(["deployed"]);
    expect(await chat.run("deploy", { roomType: "group" })).toMatchObject({
      replies: [DENIED],
      outcome: "denied",
      denial: { reason: "room", rule: "command", command: "deploy" },
    });
  });

  test("who and where must both pass", async () => {
    const { bot } = pingBot({ allow: { emailDomains: ["example.com"], roomTypes: ["group"] } });
    const chat = createTestChat(bot);
    expect(await chat.send("ping", { roomType: "group" })).toEqual(["pong"]);
    expect(await chat.run("ping")).toMatchObject({ denial: { reason: "room" } });
    expect(
      await chat.run("ping", { roomType: "group", from: { email: "eve@other.org" } }),
    ).toMatchObject({ denial: { reason: "person" } });
  });

  test("a room type missing from the message is looked up", async () => {
    const { bot } = pingBot({ allow: { roomTypes: ["group"] } });
    const chat = createTestChat(bot);
    const message = chat.write("ping", { roomType: "group" });
    delete message.roomType;
    const replies: string[] = [];
    const run = bot.run({
      message,
      event: eventFor(message.id),
      self: chat.self,
      webex: chat.webex,
    });
    for await (const reply of run) replies.push(reply.markdown ?? "");
    expect(replies).toEqual(["pong"]);
  });
});

function eventFor(id: string) {
  return {
    id: "e",
    name: "n",
    targetUrl: "u",
    resource: "messages",
    event: "created",
    data: { id },
  };
}

/** The bare uuid of a Webex id (the other form rules may use). */
function uuidOf(id: string): string {
  return Buffer.from(id, "base64").toString("utf8").split("/").pop() ?? id;
}
