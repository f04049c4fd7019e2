import { describe, expect, test } from "vitest";
import { CommandSetupError, SparkBot, type CommandHandler } from "@sparkbot/core";
import { createTestChat } from "@sparkbot/core/testing";

const pong: CommandHandler = () => "**pong**";

/** Calls `register` and returns what it threw. */
function thrownBy(register: () => unknown): unknown {
  try {
    register();
  } catch (error) {
    return error;
  }
  throw new Error("expected registration to throw");
}

describe("command registration", () => {
  test("names are matched case-insensitively and commandline keeps the typed case", async () => {
    const bot = new SparkBot().command("Ping", ({ commandline }) => commandline.join(" "));
    const chat = createTestChat(bot);
    expect(await chat.send("PING Arg")).toEqual(["PING Arg"]);
    expect(await chat.send("ping")).toEqual(["ping"]);
  });

  test("an alias list makes one command with several names", async () => {
    const bot = new SparkBot().command(
      ["testcommand", "echo"],
      ({ commandline }) => commandline[1],
    );
    const chat = createTestChat(bot);
    expect(await chat.send("echo hi")).toEqual(["hi"]);
    expect(await chat.send("TestCommand there")).toEqual(["there"]);
    expect((await chat.run("echo x")).command).toBe("testcommand");
    expect(bot.findCommand("ECHO")?.names).toEqual(["testcommand", "echo"]);
  });

  test.each([
    [
      "a name used twice",
      (bot: SparkBot) => bot.command("ping", pong).command("PING", pong),
      "twice",
    ],
    ["a name repeated in one list", (bot: SparkBot) => bot.command(["a", "A"], pong), "twice"],
    ["no names", (bot: SparkBot) => bot.command([], pong), "at least one name"],
    ["an empty name", (bot: SparkBot) => bot.command("", pong), "empty"],
    ["a name with spaces", (bot: SparkBot) => bot.command("my cmd", pong), "whitespace"],
    ["a second fallback", (bot: SparkBot) => bot.fallback(pong).fallback(pong), "already"],
    [
      "names on a fallback",
      (bot: SparkBot) => bot.command("x", { fallback: true }, pong),
      "takes no names",
    ],
  ])("%s throws CommandSetupError", (_label, register, words) => {
    const error = thrownBy(() => register(new SparkBot()));
    expect(error).toBeInstanceOf(CommandSetupError);
    expect((error as Error).message).toContain(words);
  });

  test.each([
    ["a number as name", [42, pong]],
    ["a non-string alias", [["ok", 7], pong]],
    ["a handler that is not a function", ["ping", "pong"]],
    ["help that is not a string", ["ping", { help: 3 }, pong]],
    ["options that are not an object", ["ping", "options", pong]],
    ["a fallback flag that is not boolean", [{ fallback: "yes" }, pong]],
    ["too few arguments", ["ping"]],
  ])("%s throws TypeError", (_label, args) => {
    const bot = new SparkBot();
    const register = bot.command.bind(bot) as (...values: unknown[]) => unknown;
    expect(thrownBy(() => register(...args))).toBeInstanceOf(TypeError);
  });

  test("a failed registration leaves the bot unchanged", async () => {
    const bot = new SparkBot().command("ping", pong);
    thrownBy(() => bot.command(["new", "ping"], pong));
    expect(bot.findCommand("new")).toBeUndefined();
    expect(await createTestChat(bot).send("ping")).toEqual(["**pong**"]);
  });
});

describe("fallback", () => {
  for (const order of ["before", "after"] as const) {
    test(`registered ${order} other commands, it receives unknown commands`, async () => {
      const bot = new SparkBot();
      const fallback: CommandHandler = ({ commandline }) => `fallback: ${commandline.join("|")}`;
      if (order === "before") bot.fallback(fallback);
      bot.command("ping", pong);
      if (order === "after") bot.command({ fallback: true }, fallback);
      const chat = createTestChat(bot);
      expect(await chat.send("ping")).toEqual(["**pong**"]);
      const run = await chat.run('what is "this thing"');
      expect(run.replies).toEqual(["fallback: what|is|this thing"]);
      expect(run.command).toBe("(fallback)");
      expect(run.outcome).toBe("ok");
      expect(bot.hasFallback).toBe(true);
    });
  }

  test("is not listed in help and does not shadow help", async () => {
    const bot = new SparkBot().command("ping", pong).fallback(() => "??");
    const [list] = await createTestChat(bot).send("help");
    expect(list).not.toContain("??");
    expect(list?.split("\n")).toHaveLength(3);
  });
});

describe("help override and removal", () => {
  test('registering "help" replaces the built-in help', async () => {
    const bot = new SparkBot().command("help", () => "It's the new help command!");
    const chat = createTestChat(bot);
    expect(await chat.send("help")).toEqual(["It's the new help command!"]);
    expect(await chat.send("help-all")).toEqual(["⚠️ Error: Command not found. Maybe try 'help'?"]);
  });

  test("removeHelp removes help, even overridden, and the hint of the not-found error", async () => {
    for (const bot of [new SparkBot(), new SparkBot().command("help", () => "mine")]) {
      bot.removeHelp();
      const chat = createTestChat(bot);
      expect(await chat.run("help")).toMatchObject({
        replies: ["⚠️ Error: Command not found."],
        outcome: "not_found",
        command: "(unknown)",
      });
      expect(await chat.send("help-all")).toEqual(["⚠️ Error: Command not found."]);
      expect(bot.commands).toEqual([]);
    }
  });

  test("a command may be named help after removeHelp", async () => {
    const bot = new SparkBot().removeHelp().command(["HELP", "h"], () => "custom");
    expect(await createTestChat(bot).send("h")).toEqual(["custom"]);
  });
});
