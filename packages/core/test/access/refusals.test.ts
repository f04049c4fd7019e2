import { describe, expect, test } from "vitest";
import {
  CommandSetupError,
  DEFAULT_REPLY_TEXTS,
  SparkBot,
  WebexApiError,
  WebexNetworkError,
  type AccessDenial,
  type AccessPolicy,
} from "@sparkbot/core";
import { createTestChat } from "@sparkbot/core/testing";

const ADMINS: AccessPolicy = { commands: { "deploy,restart": { emails: ["boss@example.com"] } } };

/** An admin bot: `deploy` and `restart` for the boss only, `ping` for all; counts handler runs. */
function adminBot(access: AccessPolicy = {}) {
  const runs: string[] = [];
  const bot = new SparkBot({ access })
    .use(async (ctx, next) => {
      runs.push(`middleware:${ctx.name}`);
      await next();
    })
    .command("ping", { help: "Pong." }, () => "pong")
    .command(["deploy", "ship"], { help: "Deploys." }, () => {
      runs.push("deploy");
      return "deployed";
    })
    .command("restart", () => "restarted");
  return { bot, runs };
}

describe("refusals", () => {
  test("a refused command costs no handler nor middleware run, and is reported", async () => {
    const { bot, runs } = adminBot(ADMINS);
    const chat = createTestChat(bot);
    const run = await chat.run("ship now");
    expect(run).toMatchObject({
      replies: [DEFAULT_REPLY_TEXTS.accessDenied],
      command: "deploy",
      outcome: "denied",
      denial: {
        command: "deploy",
        reason: "person",
        rule: "command",
        personId: chat.user.id,
        personEmail: chat.user.emails[0],
        roomId: chat.directRoom.id,
        replied: true,
      },
    });
    expect(runs).toEqual([]);
    expect(await chat.send("ship", { from: { email: "boss@example.com" } })).toEqual(["deployed"]);
    expect(runs).toEqual(["middleware:deploy", "deploy"]);
  });

  test("silent refusals say nothing; the texts can be the author's or the deployment's", async () => {
    const silent = createTestChat(adminBot({ ...ADMINS, denied: "silent" }).bot);
    expect(await silent.run("deploy")).toMatchObject({ replies: [], outcome: "denied" });

    const custom = adminBot(ADMINS).bot.setTexts({
      accessDenied: "Only the boss may `{command}`.",
    });
    expect(await createTestChat(custom).send("restart")).toEqual(["Only the boss may `restart`."]);
    const deployment = createTestChat(custom, { access: { deniedText: "Ask ops for {command}." } });
    expect(await deployment.send("ship")).toEqual(["Ask ops for deploy."]);
  });

  test("the deployment's rules add to the author's: both must pass", async () => {
    const { bot } = adminBot(ADMINS);
    const chat = createTestChat(bot, { access: { allow: { emailDomains: ["corp.example"] } } });
    const boss = { email: "boss@example.com" };
    const colleague = { email: "amy@corp.example" };
    expect(await chat.run("ping", { from: boss })).toMatchObject({
      denial: { reason: "person", rule: "bot" },
    });
    expect(await chat.send("ping", { from: colleague })).toEqual(["pong"]);
    expect(await chat.run("deploy", { from: colleague })).toMatchObject({
      denial: { reason: "person", rule: "command" },
    });
  });

  test("bot-wide rules cover help, unknown commands, empty and malformed messages", async () => {
    const { bot } = adminBot({ allow: { emails: ["boss@example.com"] } });
    const chat = createTestChat(bot);
    for (const text of ["help", "nope", "", 'say "open']) {
      expect(await chat.run(text)).toMatchObject({
        replies: [DEFAULT_REPLY_TEXTS.accessDenied],
        outcome: "denied",
      });
    }
  });

  test("help lists only what the caller may run, and hides the rest's help", async () => {
    const { bot } = adminBot(ADMINS);
    const chat = createTestChat(bot);
    const header = "Type `help [command]` for more specific help about any of these commands:";
    expect(await chat.send("help")).toEqual([`${header}\n - help\n - ping`]);
    expect(await chat.send("help deploy")).toEqual([
      'I don\'t have a command with the name "deploy".',
    ]);
    const boss = { from: { email: "boss@example.com" } };
    expect(await chat.send("help", boss)).toEqual([
      `${header}\n - deploy, ship\n - help\n - ping\n - restart`,
    ]);
    expect(await chat.send("help ship", boss)).toEqual(["Deploys."]);
  });

  test("handlers can ask whether the caller may run a command", async () => {
    const { bot } = adminBot(ADMINS);
    bot.command("menu", async ({ isAllowed }) => {
      const names = ["ping", "deploy", "nonexistent"];
      const allowed = await Promise.all(names.map((name) => isAllowed(name)));
      return names.filter((_name, index) => allowed[index]).join(",");
    });
    const chat = createTestChat(bot);
    expect(await chat.send("menu")).toEqual(["ping"]);
    expect(await chat.send("menu", { from: { email: "boss@example.com" } })).toEqual([
      "ping,deploy",
    ]);
  });

  test("onAccessDenied is called once per refusal", async () => {
    const { bot } = adminBot(ADMINS);
    const chat = createTestChat(bot);
    const message = chat.write("restart");
    const denials: AccessDenial[] = [];
    const run = bot.run({
      message,
      event: {
        id: "e",
        name: "n",
        targetUrl: "u",
        resource: "messages",
        event: "created",
        data: { id: message.id },
      },
      self: chat.self,
      webex: chat.webex,
      onAccessDenied: (denial) => denials.push(denial),
    });
    for await (const _reply of run) void _reply;
    expect(denials).toEqual([expect.objectContaining({ command: "restart", reason: "person" })]);
    expect(run.denial).toEqual(denials[0]);
  });
});

describe("other bots", () => {
  test("are ignored by default, silently, whatever the denied setting", async () => {
    const { bot, runs } = adminBot({ denied: "reply" });
    const chat = createTestChat(bot);
    for (const from of [{ email: "helper@webex.bot" }, { email: "old@sparkbot.io" }]) {
      expect(await chat.run("ping", { from })).toMatchObject({
        replies: [],
        outcome: "ignored",
        denial: { reason: "from_bot", replied: false },
      });
    }
    expect(runs).toEqual([]);
  });

  test("are recognised by type too when the caller was looked up", async () => {
    const { bot } = adminBot({ allow: { orgIds: [] } });
    const chat = createTestChat(bot, { access: { allow: { orgIds: ["no-such-org"] } } });
    const integration = { email: "robot@example.com", type: "bot" as const };
    expect(await chat.run("ping", { from: integration })).toMatchObject({
      replies: [],
      denial: { reason: "from_bot" },
    });
  });

  test("are answered when allowed, and still subject to the rules", async () => {
    const { bot } = adminBot(ADMINS);
    const chat = createTestChat(bot, { access: { allowBots: true } });
    const helper = { email: "helper@webex.bot" };
    expect(await chat.send("ping", { from: helper })).toEqual(["pong"]);
    expect(await chat.run("deploy", { from: helper })).toMatchObject({ outcome: "denied" });
  });
});

describe("lookup failures", () => {
  test.each([
    ["a Webex 503", new WebexApiError(503, "Service Unavailable")],
    ["a network error", new WebexNetworkError("connection reset")],
    ["a 404", new WebexApiError(404, "The requested person could not be found")],
  ])("%s refuses with a try-again reply, even when refusals are silent", async (_label, error) => {
    const { bot, runs } = adminBot({ allow: { orgIds: ["some-org"] }, denied: "silent" });
    const chat = createTestChat(bot);
    chat.webex.people.get = async () => {
      throw error;
    };
    expect(await chat.run("ping")).toMatchObject({
      replies: [DEFAULT_REPLY_TEXTS.accessUnverified],
      outcome: "denied",
      denial: { reason: "lookup_failed", replied: true },
    });
    expect(runs).toEqual([]);
  });

  test("isAllowed is false when the lookup fails", async () => {
    const { bot } = adminBot({ commands: { deploy: { orgIds: ["x"] } } });
    const chat = createTestChat(bot);
    chat.webex.people.get = async () => {
      throw new WebexApiError(500, "boom");
    };
    const [list] = await chat.send("help");
    expect(list).not.toContain("deploy");
    expect(list).toContain("ping");
  });
});

describe("policy errors", () => {
  test("are clear at construction", () => {
    expect(() => new SparkBot({ access: { allow: { emails: ["not-an-email"] } } })).toThrow(
      /"emails" holds "not-an-email", which is not an email address/,
    );
    expect(() => new SparkBot({ access: { denied: "shout" as "reply" } })).toThrow(/"denied"/);
    expect(() => new SparkBot({ access: { alow: {} } as AccessPolicy })).toThrow(/"alow"/);
    expect(() =>
      new SparkBot().command("x", { allow: { roomTypes: ["public" as "group"] } }, () => "x"),
    ).toThrow(/"roomTypes" holds "public"/);
  });

  test("the harness refuses a policy naming commands the bot lacks", () => {
    const { bot } = adminBot();
    expect(() => createTestChat(bot, { access: { commands: { deplyo: {} } } })).toThrow(
      CommandSetupError,
    );
    expect(bot.unknownAccessCommands({ commands: { "ship, deplyo": {} } })).toEqual(["deplyo"]);
  });
});
