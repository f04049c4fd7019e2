import { describe, expect, test } from "vitest";
import { CommandError, CommandSetupError, DEFAULT_REPLY_TEXTS, SparkBot } from "@sparkbot/core";
import { createTestChat } from "@sparkbot/core/testing";

describe("reply texts", () => {
  test("default to the original's words", async () => {
    const chat = createTestChat(
      new SparkBot().command("boom", () => {
        throw new Error("x");
      }),
    );
    expect(await chat.send("nope")).toEqual(["⚠️ Error: Command not found. Maybe try 'help'?"]);
    expect(await chat.send("boom")).toEqual([
      "⚠️ Error: Something happened internally. For more information, contact the bot author.",
    ]);
    expect(await chat.send("say 'open")).toEqual([
      "⚠️Error: Please check the format of your command. No closing quotation",
    ]);
    // remove_help: "Command not found." as the original's remove_help sets it.
    const noHelp = createTestChat(new SparkBot().removeHelp());
    expect(await noHelp.send("help")).toEqual(["⚠️ Error: Command not found."]);
    expect(await noHelp.send("")).toEqual([DEFAULT_REPLY_TEXTS.emptyMessageWithoutHelp]);
  });

  test("are set by the author, in the constructor or later, with placeholders", async () => {
    const bot = new SparkBot({
      texts: { commandNotFound: "No `{command}` here. Try `help`.", badFormat: "Hm: {reason}" },
    })
      .command("bad", () => {
        throw new CommandError("not like that");
      })
      .command("boom", () => {
        throw new Error("x");
      });
    bot.setTexts({
      internalError: "Oops, my fault.",
      userError: "🙅 {message}",
      emptyMessage: "Say something!",
      timeout: "Too slow, sorry.",
    });
    const chat = createTestChat(bot);
    expect(await chat.send("dance now")).toEqual(["No `dance` here. Try `help`."]);
    expect(await chat.send('say "open')).toEqual(["Hm: No closing quotation"]);
    expect(await chat.send("boom")).toEqual(["Oops, my fault."]);
    expect(await chat.send("bad")).toEqual(["🙅 not like that"]);
    expect(await chat.send("")).toEqual(["Say something!"]);
    expect(bot.texts.timeout).toBe("Too slow, sorry.");
    // The author's text stays when help is removed (the original's remove_help overwrote it).
    bot.removeHelp();
    expect(await chat.send("help")).toEqual(["No `help` here. Try `help`."]);
  });

  test("unknown names, non-strings and blanks are refused at setup", () => {
    expect(() => new SparkBot({ texts: { notFound: "x" } as object })).toThrow(
      /Unknown text "notFound"/,
    );
    expect(() => new SparkBot().setTexts({ timeout: 5 as unknown as string })).toThrow(TypeError);
    expect(() => new SparkBot().setTexts({ emptyMessage: "  " })).toThrow(CommandSetupError);
  });

  test("placeholders of a CommandError's message are not filled", async () => {
    const bot = new SparkBot().command("x", () => {
      throw new CommandError("use {reason} literally");
    });
    expect(await createTestChat(bot).send("x")).toEqual(["⚠️ Error: use {reason} literally"]);
  });
});
