import { describe, expect, test } from "vitest";
import { ConfigError, SparkBot, loadAccessPolicy, loadWorkerConfig } from "@sparkbot/core";
import { createTestChat } from "@sparkbot/core/testing";

describe("loadAccessPolicy", () => {
  test("nothing set is an empty policy", () => {
    expect(loadAccessPolicy({})).toEqual({});
    expect(loadWorkerConfig({ WEBEX_ACCESS_TOKEN: "t" }).access).toEqual({});
  });

  test("reads lists separated by commas or blanks, and the settings", () => {
    const policy = loadAccessPolicy({
      ACCESS_ALLOW_EMAILS: "ada@example.com, bob@example.com",
      ACCESS_ALLOW_EMAIL_DOMAINS: "example.com *.corp.example",
      ACCESS_ALLOW_ORG_IDS: "Y2lzY29zcGFyazovL3VzL09SR0FOSVpBVElPTi8x",
      ACCESS_ALLOW_ROOM_IDS: " room-1 ,room-2 ",
      ACCESS_ALLOW_ROOM_TYPES: "Direct",
      ACCESS_COMMANDS:
        '{"deploy,restart":{"emails":["ops@example.com"]},"stats":{"roomTypes":["group"]}}',
      ACCESS_DENIED: "silent",
      ACCESS_DENIED_TEXT: "Ask ops.",
      ACCESS_ALLOW_BOTS: "yes",
    });
    expect(policy).toEqual({
      allow: {
        emails: ["ada@example.com", "bob@example.com"],
        emailDomains: ["example.com", "*.corp.example"],
        orgIds: ["Y2lzY29zcGFyazovL3VzL09SR0FOSVpBVElPTi8x"],
        roomIds: ["room-1", "room-2"],
        roomTypes: ["direct"],
      },
      commands: {
        "deploy,restart": { emails: ["ops@example.com"] },
        stats: { roomTypes: ["group"] },
      },
      denied: "silent",
      deniedText: "Ask ops.",
      allowBots: true,
    });
  });

  test.each([
    [
      "ACCESS_ALLOW_EMAILS",
      "ada@example.com,bob",
      /ACCESS_ALLOW_EMAILS holds "bob", which is not an email address/,
    ],
    ["ACCESS_ALLOW_EMAIL_DOMAINS", "@example.com", /not an email domain/],
    ["ACCESS_ALLOW_ROOM_TYPES", "direct,public", /"public", which is not a room type/],
    ["ACCESS_COMMANDS", "deploy=ops@example.com", /ACCESS_COMMANDS must be JSON like/],
    ["ACCESS_COMMANDS", '["deploy"]', /must be a JSON object/],
    ["ACCESS_COMMANDS", '{"deploy":{"email":["a@b.c"]}}', /unknown field "email"/],
    ["ACCESS_COMMANDS", '{"deploy":{"emails":"a@b.c"}}', /"emails" must be a list/],
    ["ACCESS_DENIED", "ignore", /ACCESS_DENIED must be one of reply, silent/],
    ["ACCESS_ALLOW_BOTS", "sometimes", /ACCESS_ALLOW_BOTS must be true or false/],
  ])("%s=%s is refused with one clear line", (variable, value, message) => {
    let error: unknown;
    try {
      loadAccessPolicy({ [variable]: value });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).variable).toBe(variable);
    expect((error as ConfigError).message).toMatch(message);
    expect((error as ConfigError).message).not.toContain("\n");
  });

  test("a policy from the environment works through the harness", async () => {
    const bot = new SparkBot().command("deploy", () => "deployed").command("ping", () => "pong");
    const access = loadAccessPolicy({
      ACCESS_ALLOW_EMAIL_DOMAINS: "example.com",
      ACCESS_COMMANDS: '{"deploy":{"emails":["boss@example.com"]}}',
    });
    const chat = createTestChat(bot, { access, user: { email: "amy@example.com" } });
    expect(await chat.send("ping")).toEqual(["pong"]);
    expect(await chat.run("deploy")).toMatchObject({ outcome: "denied" });
    expect(await chat.send("deploy", { from: { email: "boss@example.com" } })).toEqual([
      "deployed",
    ]);
    expect(await chat.run("ping", { from: { email: "eve@elsewhere.org" } })).toMatchObject({
      outcome: "denied",
    });
  });
});
