import { describe, expect, test } from "vitest";
import { CommandError, DEFAULT_REPLY_TEXTS, SparkBot, type CommandContext } from "@sparkbot/core";
import { createTestChat } from "@sparkbot/core/testing";

/** A promise with its resolve function, to hold a handler at a known point. */
function deferred<T = void>(): { promise: Promise<T>; resolve: (value: T) => void } {
  let resolve: (value: T) => void = () => undefined;
  const promise = new Promise<T>((done) => (resolve = done));
  return { promise, resolve };
}

describe("handler results", () => {
  test.each([
    ["a string", () => "one"],
    ["a promise of a string", async () => "one"],
    [
      "a sync generator",
      function* () {
        yield "one";
      },
    ],
    [
      "an async generator",
      async function* () {
        yield "one";
      },
    ],
    [
      "a generator's return value",
      function* () {
        yield "";
        return "one";
      },
    ],
  ])("%s gives one reply", async (_label, handler) => {
    const run = await createTestChat(new SparkBot().command("go", handler)).run("go");
    expect(run).toMatchObject({ replies: ["one"], command: "go", outcome: "ok" });
  });

  test("nothing, empty and blank values give no reply but a successful run", async () => {
    const bot = new SparkBot()
      .command("nothing", () => undefined)
      .command("blank", async function* () {
        yield "";
        yield "   ";
        yield undefined;
        yield null;
      });
    const chat = createTestChat(bot);
    expect(await chat.run("nothing")).toMatchObject({ replies: [], outcome: "ok" });
    expect(await chat.run("blank")).toMatchObject({ replies: [], outcome: "ok" });
  });

  test("each yielded string is a separate reply, in order", async () => {
    const bot = new SparkBot().command("count", function* () {
      yield "a twist";
      yield "";
      yield "**pong**";
    });
    expect(await createTestChat(bot).send("count")).toEqual(["a twist", "**pong**"]);
  });

  test("replies are streamed as soon as they are yielded", async () => {
    const gate = deferred();
    const bot = new SparkBot().command("slow", async function* () {
      yield "working on it";
      await gate.promise;
      yield "**done**";
    });
    const seen: string[] = [];
    for await (const reply of createTestChat(bot).stream("slow")) {
      seen.push(reply);
      if (reply === "working on it") {
        expect(seen).toEqual(["working on it"]);
        gate.resolve();
      }
    }
    expect(seen).toEqual(["working on it", "**done**"]);
  });

  test("a non-string value is an internal error", async () => {
    const bot = new SparkBot().command("num", () => 42 as unknown as string);
    expect(await createTestChat(bot).run("num")).toMatchObject({
      replies: [DEFAULT_REPLY_TEXTS.internalError],
      outcome: "error",
    });
  });
});

describe("errors", () => {
  test("a handler that throws gets the internal-error reply", async () => {
    const bot = new SparkBot().command("boom", () => {
      throw new Error("secret detail");
    });
    expect(await createTestChat(bot).run("boom")).toMatchObject({
      replies: [
        "⚠️ Error: Something happened internally. For more information, contact the bot author.",
      ],
      command: "boom",
      outcome: "error",
    });
  });

  test("a CommandError shows its text", async () => {
    const bot = new SparkBot().command("bad", async () => {
      throw new CommandError("You need to be an admin.");
    });
    expect(await createTestChat(bot).run("bad")).toMatchObject({
      replies: ["⚠️ Error: You need to be an admin."],
      outcome: "user_error",
    });
  });

  test("an error after some replies still yields the replies, then the error", async () => {
    const bot = new SparkBot()
      .command("mid", async function* () {
        yield "step 1";
        yield "step 2";
        throw new Error("broken");
      })
      .command("midsync", function* () {
        yield "step 1";
        throw new CommandError("stopped here");
      });
    const chat = createTestChat(bot);
    expect(await chat.send("mid")).toEqual(["step 1", "step 2", DEFAULT_REPLY_TEXTS.internalError]);
    expect(await chat.send("midsync")).toEqual(["step 1", "⚠️ Error: stopped here"]);
  });

  test("errors from another copy of core are recognised by their code", async () => {
    const foreign = Object.assign(new Error("from another copy"), { code: "COMMAND" });
    const bot = new SparkBot().command("x", () => {
      throw foreign;
    });
    expect(await createTestChat(bot).send("x")).toEqual(["⚠️ Error: from another copy"]);
    const timeout = Object.assign(new Error("too slow"), { code: "COMMAND_TIMEOUT", timeoutMs: 1 });
    const signal = AbortSignal.abort(timeout);
    expect(await createTestChat(bot).run("x", { signal })).toMatchObject({ outcome: "timeout" });
  });

  test("unknown command", async () => {
    const run = await createTestChat(new SparkBot()).run("nope");
    expect(run).toMatchObject({
      replies: ["⚠️ Error: Command not found. Maybe try 'help'?"],
      command: "(unknown)",
      outcome: "not_found",
    });
  });

  test.each([
    ['say "unbalanced', "No closing quotation"],
    ["trailing\\", "No escaped character"],
  ])("a command line that cannot be split (%s) is explained", async (text, reason) => {
    const run = await createTestChat(new SparkBot().fallback(() => "no")).run(text);
    expect(run).toMatchObject({
      replies: [`⚠️Error: Please check the format of your command. ${reason}`],
      command: "(bad-command-line)",
      outcome: "bad_command_line",
    });
  });
});

describe("empty messages and the bot itself", () => {
  test.each([
    ["an empty message", "", "direct"],
    ["only spaces", "   ", "direct"],
    ["only the bot's mention", "", "group"],
  ] as const)("%s gets a hint", async (_label, text, roomType) => {
    const run = await createTestChat(new SparkBot()).run(text, { roomType });
    expect(run).toMatchObject({
      replies: [DEFAULT_REPLY_TEXTS.emptyMessage],
      command: "(empty)",
      outcome: "empty",
    });
  });

  test("the hint does not mention help once it is removed", async () => {
    expect(await createTestChat(new SparkBot().removeHelp()).send("")).toEqual([
      DEFAULT_REPLY_TEXTS.emptyMessageWithoutHelp,
    ]);
  });

  test("the bot never answers itself", async () => {
    const bot = new SparkBot().fallback(() => "echo");
    const chat = createTestChat(bot);
    const run = await chat.run("help", { from: chat.self });
    expect(run).toMatchObject({ replies: [], command: "(self)", outcome: "ignored" });
  });
});

describe("context", () => {
  test("carries the command line, room, message, event, webex, signal and logger", async () => {
    let seen: CommandContext | undefined;
    const bot = new SparkBot().command("ctx", (context) => {
      seen = context;
    });
    const chat = createTestChat(bot);
    await chat.send('ctx "two words" x', { files: ["https://example.com/f.png"] });
    expect(seen?.commandline).toEqual(["ctx", "two words", "x"]);
    expect(seen?.roomId).toBe(chat.directRoom.id);
    expect(seen?.message.files).toEqual(["https://example.com/f.png"]);
    expect(seen?.event.data.id).toBe(seen?.message.id);
    expect(seen?.webex).toBe(chat.webex);
    expect(seen?.self.id).toBe(chat.self.id);
    expect(seen?.signal.aborted).toBe(false);
    expect(typeof seen?.logger.info).toBe("function");
  });

  test("caller is fetched only when read, once", async () => {
    const bot = new SparkBot()
      .command("quiet", () => "ok")
      .command("whoami", async ({ caller }) => {
        const first = await caller;
        const again = await caller;
        return `${first.displayName}/${again.displayName}`;
      });
    const chat = createTestChat(bot);
    let calls = 0;
    const get = chat.webex.people.get;
    chat.webex.people.get = async (id) => {
      calls += 1;
      return get(id);
    };
    await chat.send("quiet");
    expect(calls).toBe(0);
    expect(await chat.send("whoami")).toEqual(["Test User/Test User"]);
    expect(calls).toBe(1);
  });

  test("a run can be iterated once only", async () => {
    const chat = createTestChat(new SparkBot());
    const message = chat.write("help");
    const run = new SparkBot().run({
      message,
      event: { ...eventStub(message.id) },
      self: chat.self,
      webex: chat.webex,
    });
    for await (const _reply of run) break;
    expect(() => run[Symbol.asyncIterator]()).toThrow(/once/);
  });
});

function eventStub(id: string) {
  return {
    id: "e",
    name: "n",
    targetUrl: "u",
    resource: "messages",
    event: "created",
    data: { id },
  };
}

describe("long replies", () => {
  test("are split into messages within the byte limit", async () => {
    const line = "é".repeat(100);
    const long = Array.from({ length: 100 }, () => line).join("\n");
    const bot = new SparkBot().command("long", () => long);
    const replies = await createTestChat(bot).send("long");
    expect(replies.length).toBeGreaterThan(1);
    for (const reply of replies) expect(Buffer.byteLength(reply)).toBeLessThanOrEqual(7439);
    expect(replies.join("\n")).toBe(long);
  });
});
