import { describe, expect, test } from "vitest";
import {
  CommandError,
  CommandTimeoutError,
  DEFAULT_REPLY_TEXTS,
  SparkBot,
  type DispatchKind,
  type Middleware,
} from "@sparkbot/core";
import { createTestChat } from "@sparkbot/core/testing";

/** A middleware that records `<label>:before` and `<label>:after` around the rest. */
function trace(log: string[], label: string): Middleware {
  return async (_ctx, next) => {
    log.push(`${label}:before`);
    await next();
    log.push(`${label}:after`);
  };
}

describe("bot.use and per-command middleware", () => {
  test("run in order around the handler, the bot's before the command's", async () => {
    const log: string[] = [];
    const bot = new SparkBot()
      .use(trace(log, "a"), trace(log, "b"))
      .command("go", { use: [trace(log, "c"), trace(log, "d")] }, () => {
        log.push("handler");
        return "done";
      })
      .command("other", { use: trace(log, "x") }, () => "other");
    expect(await createTestChat(bot).run("go")).toMatchObject({ replies: ["done"], outcome: "ok" });
    expect(log).toEqual([
      "a:before",
      "b:before",
      "c:before",
      "d:before",
      "handler",
      "d:after",
      "c:after",
      "b:after",
      "a:after",
    ]);
  });

  test("run around every dispatch: commands, help, fallback, unknown, empty, bad lines", async () => {
    const seen: [DispatchKind, string, readonly string[]][] = [];
    const record: Middleware = async (ctx, next) => {
      if (ctx.type === "message")
        seen.push([ctx.dispatch.kind, ctx.dispatch.name, ctx.commandline]);
      await next();
    };
    const withFallback = new SparkBot().use(record).command("ping", () => "pong");
    withFallback.fallback(() => "fallback");
    const chat = createTestChat(withFallback);
    await chat.send("ping");
    await chat.send("help");
    await chat.send("what now");
    await chat.send("");
    await chat.send('say "open');
    await createTestChat(new SparkBot().use(record)).send("nope x");
    expect(seen).toEqual([
      ["command", "ping", ["ping"]],
      ["command", "help", ["help"]],
      ["fallback", "(fallback)", ["what", "now"]],
      ["empty", "(empty)", []],
      ["bad_command_line", "(bad-command-line)", []],
      ["not_found", "(unknown)", ["nope", "x"]],
    ]);
  });

  test("can answer without calling next: no handler runs", async () => {
    let ran = false;
    const bot = new SparkBot()
      .use(async (ctx) => {
        await ctx.reply("closed for maintenance");
        await ctx.reply("   ");
      })
      .command("go", () => {
        ran = true;
        return "went";
      });
    const run = await createTestChat(bot).run("go");
    expect(run).toMatchObject({
      replies: ["closed for maintenance"],
      command: "go",
      outcome: "intercepted",
    });
    expect(ran).toBe(false);
  });

  test("hands state to the handler, and sees the outcome after next()", async () => {
    const outcomes: unknown[] = [];
    const bot = new SparkBot<{ user?: string }>()
      .use(async (ctx, next) => {
        if (ctx.type === "message") ctx.state.user = (await ctx.caller).displayName;
        await next();
        outcomes.push(ctx.outcome);
      })
      .command("who", ({ state }) => `hello ${state.user ?? "?"}`)
      .command("fail", () => {
        throw new CommandError("no");
      });
    const chat = createTestChat(bot);
    expect(await chat.send("who")).toEqual(["hello Test User"]);
    await expect(chat.send("fail")).resolves.toEqual(["⚠️ Error: no"]);
    expect(outcomes).toEqual(["ok"]);
  });

  test("replies of middleware and handler stream in order, each as soon as it is given", async () => {
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const bot = new SparkBot()
      .use(async (ctx, next) => {
        await ctx.reply("before");
        await next();
        await ctx.reply("after");
      })
      .command("slow", async function* () {
        yield "working";
        await gate;
        yield "done";
      });
    const seen: string[] = [];
    for await (const reply of createTestChat(bot).stream("slow")) {
      seen.push(reply);
      if (reply === "working") {
        expect(seen).toEqual(["before", "working"]);
        release();
      }
    }
    expect(seen).toEqual(["before", "working", "done", "after"]);
  });
});

describe("errors in middleware", () => {
  test("a CommandError is answered with its text, before or after next()", async () => {
    const before = new SparkBot()
      .use(() => {
        throw new CommandError("Not today.");
      })
      .command("go", () => "went");
    expect(await createTestChat(before).run("go")).toMatchObject({
      replies: ["⚠️ Error: Not today."],
      outcome: "user_error",
    });
    const after = new SparkBot()
      .use(async (_ctx, next) => {
        await next();
        throw new Error("audit store down");
      })
      .command("go", () => "went");
    expect(await createTestChat(after).run("go")).toMatchObject({
      replies: ["went", DEFAULT_REPLY_TEXTS.internalError],
      outcome: "error",
    });
  });

  test("the handler's error comes out of next(), where a middleware may answer it", async () => {
    const caught: unknown[] = [];
    const bot = new SparkBot()
      .use(async (ctx, next) => {
        try {
          await next();
        } catch (error) {
          caught.push(error);
          await ctx.reply("Sorry, that broke; the team is told.");
        }
      })
      .command("boom", () => {
        throw new Error("database gone");
      });
    const run = await createTestChat(bot).run("boom");
    expect(run.replies).toEqual(["Sorry, that broke; the team is told."]);
    expect(caught).toHaveLength(1);
    expect(String(caught[0])).toContain("database gone");
  });

  test("calling next() twice is an internal error", async () => {
    let runs = 0;
    const bot = new SparkBot()
      .use(async (_ctx, next) => {
        await next();
        await next();
      })
      .command("go", () => {
        runs += 1;
        return "went";
      });
    expect(await createTestChat(bot).run("go")).toMatchObject({
      replies: ["went", DEFAULT_REPLY_TEXTS.internalError],
      outcome: "error",
    });
    expect(runs).toBe(1);
  });

  test("a middleware that hangs past the timeout gets the timeout reply", async () => {
    const bot = new SparkBot()
      .use(() => new Promise<void>(() => undefined))
      .command("go", () => "went");
    const controller = new AbortController();
    const run = createTestChat(bot).run("go", { signal: controller.signal });
    controller.abort(new CommandTimeoutError(5));
    expect(await run).toMatchObject({ replies: [DEFAULT_REPLY_TEXTS.timeout], outcome: "timeout" });
  });

  test("a reply that is not a string is an internal error", async () => {
    const bot = new SparkBot()
      .use(async (ctx) => {
        await ctx.reply(42 as unknown as string);
      })
      .command("go", () => "went");
    expect(await createTestChat(bot).run("go")).toMatchObject({ outcome: "error" });
  });
});

describe("the reader of the replies", () => {
  test("stopping early stops the handler at its next reply", async () => {
    let finished = false;
    let continued = false;
    const bot = new SparkBot().command("long", async function* () {
      try {
        yield "first";
        continued = true;
        yield "never read";
      } finally {
        finished = true;
      }
    });
    const chat = createTestChat(bot);
    const message = chat.write("long");
    const run = bot.run({
      message,
      event: { ...eventFor(message.id) },
      self: chat.self,
      webex: chat.webex,
    });
    for await (const reply of run) {
      expect(reply.markdown).toBe("first");
      break;
    }
    await expect.poll(() => finished).toBe(true);
    expect(continued).toBe(false);
  });
});

describe("setup errors", () => {
  test("bot.use takes functions only; the use option a function or a list of them", () => {
    expect(() => new SparkBot().use("log" as unknown as Middleware)).toThrow(TypeError);
    expect(() =>
      new SparkBot().command("x", { use: 3 as unknown as Middleware }, () => "x"),
    ).toThrow(/"use" option/);
    expect(() =>
      new SparkBot().command(
        "x",
        { use: [() => undefined, null as unknown as Middleware] },
        () => "x",
      ),
    ).toThrow(/use option must be a function/);
  });

  test("an unknown command option is named", () => {
    const options = { help: "x", alow: {} } as unknown as { help: string };
    expect(() => new SparkBot().command("x", options, () => "x")).toThrow(/"alow"/);
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
