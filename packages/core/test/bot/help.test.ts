import { describe, expect, test } from "vitest";
import { SparkBot, dedent } from "@sparkbot/core";
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

describe("built-in help", () => {
  const expectedList = [
    HEADER,
    " - alpha-alias, Zeta",
    " - echo, testcommand",
    " - help, help-all",
    " - nohelp",
    " - ping",
  ].join("\n");

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

  test("a bot with no commands lists only help", async () => {
    expect(await createTestChat(new SparkBot()).send("help")).toEqual([
      `${HEADER}\n - help, help-all`,
    ]);
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
