import { describe, expect, test } from "vitest";
import { BUILTIN_HELP_TEXT, SparkBot, dedent } from "@sparkbot/core";
import { createTestChat } from "@sparkbot/core/testing";

const HEADER = "Type `help [command]` for more specific help about any of these commands:";

function exampleBot(): SparkBot {
  return new SparkBot()
    .command(
      "ping",
      {
        help: `
          Checks if the bot is running.

          Usage: \`ping\`

          Returns **pong**.
          `,
      },
      () => "**pong**",
    )
    .command(["testcommand", "echo"], { help: "Usage: `testcommand something`" }, () => "x")
    .command(["Zeta", "alpha-alias"], () => "z")
    .command("nohelp", () => "n")
    .fallback(() => "fallback");
}

describe("the original's help tests", () => {
  // test_full_help: `help` and `help all` of a bot without commands.
  test.each(["help", "help all"])("%s of a bot without commands lists only help", async (text) => {
    const reply = await createTestChat(new SparkBot()).send(text, { roomType: "group" });
    expect(reply).toEqual([`${HEADER}\n - help`]);
  });

  // test_help_multiple_command_names: aliases on one line, lines sorted.
  test("a command with several names is one line, after help and before z", async () => {
    const bot = new SparkBot()
      .command(["name1", "name2"], () => undefined)
      .command("z", () => undefined);
    expect(await createTestChat(bot).send("help")).toEqual([
      `${HEADER}\n - help\n - name1, name2\n - z`,
    ]);
  });
});

describe("built-in help", () => {
  // Python's sorted(): by code point, so capitals come before small letters, and the lines are
  // sorted by their joined text ("a, a-b" before "a-c" because "," < "-").
  const expectedList = [
    HEADER,
    " - Zeta, alpha-alias",
    " - echo, testcommand",
    " - help",
    " - nohelp",
    " - ping",
  ].join("\n");

  test("lines sort as Python sorts them: by code point, joined names", async () => {
    const bot = new SparkBot()
      .command("a-c", () => undefined)
      .command(["a-b", "a"], () => undefined)
      .command("é", () => undefined)
      .command("\u{1F600}", () => undefined)
      .command("\uFF21", () => undefined);
    expect(await createTestChat(bot).send("help")).toEqual([
      [HEADER, " - a, a-b", " - a-c", " - help", " - é", " - \uFF21", " - \u{1F600}"].join("\n"),
    ]);
    expect(bot.commands.map((command) => command.names[0])).toEqual([
      "a-b",
      "a-c",
      "help",
      "é",
      "\uFF21",
      "\u{1F600}",
    ]);
  });

  test("help-all still lists, but is not listed as an alias of help", async () => {
    const bot = new SparkBot();
    expect(await createTestChat(bot).send("help-all")).toEqual([`${HEADER}\n - help`]);
    expect(bot.findCommand("help-all")).toMatchObject({ names: ["help"], builtin: true });
    expect(await createTestChat(bot).send("help help-all")).toEqual([BUILTIN_HELP_TEXT]);
  });

  test.each(["help", "help all", "help-all", "HELP", "Help ALL", "help-all ping"])(
    "%s lists every command, aliases grouped and sorted, fallback not listed",
    async (text) => {
      const run = await createTestChat(exampleBot()).run(text);
      expect(run.replies).toEqual([expectedList]);
      expect(run.command).toBe("help");
      expect(run.outcome).toBe("ok");
    },
  );

  test("help <command> returns the help dedented like a docstring", async () => {
    const chat = createTestChat(exampleBot());
    expect(await chat.send("help ping")).toEqual([
      "Checks if the bot is running.\n\nUsage: `ping`\n\nReturns **pong**.",
    ]);
  });

  test.each(["help echo", "help TESTCOMMAND", "HELP Echo"])(
    "%s works for any alias and case",
    async (text) => {
      expect(await createTestChat(exampleBot()).send(text)).toEqual([
        "Usage: `testcommand something`",
      ]);
    },
  );

  test("unknown command", async () => {
    expect(await createTestChat(exampleBot()).send("help nope")).toEqual([
      'I don\'t have a command with the name "nope".',
    ]);
  });

  test("command without help", async () => {
    expect(await createTestChat(exampleBot()).send("help NoHelp")).toEqual([
      "There is no help available for `NoHelp`.",
    ]);
  });

  test("help help describes itself", async () => {
    const [reply] = await createTestChat(new SparkBot()).send("help help");
    expect(reply).toContain("Usage: `help [command]`");
  });

  test("help help gives the original's help of help", async () => {
    expect(await createTestChat(new SparkBot()).send("help help")).toEqual([
      "The default help command.\n\nUsage: `help [command]`\n\n" +
        "Gives the help for [command]. If a command is not given (or is `all`), gives `help-all`.",
    ]);
  });

  test("an overridden help is listed by its own names; help-all goes with the built-in", async () => {
    const bot = new SparkBot()
      .command(["help", "h"], () => "my help")
      .command("ping", () => "pong");
    const chat = createTestChat(bot);
    expect(await chat.send("help")).toEqual(["my help"]);
    expect(await chat.send("help-all")).toEqual(["⚠️ Error: Command not found. Maybe try 'help'?"]);
    expect(bot.commands.map((command) => command.names)).toEqual([["help", "h"], ["ping"]]);
  });
});

describe("dedent", () => {
  test("removes common indentation and surrounding blank lines", () => {
    expect(dedent("\n    a\n      b\n\n    c\n  ")).toBe("a\n  b\n\nc");
  });

  test("accepts text on the first line (the original's docstring bug)", () => {
    expect(dedent("Checks things.\n\n    Usage: `x`\n    ")).toBe("Checks things.\n\nUsage: `x`");
  });

  test("expands tabs and keeps an already flat text", () => {
    expect(dedent("\tone\n\ttwo")).toBe("one\ntwo");
    expect(dedent("flat\ntext")).toBe("flat\ntext");
  });
});
