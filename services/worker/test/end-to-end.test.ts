import { afterEach, describe, expect, it } from "vitest";
import { SparkBot } from "@sparkbot/core";
import { startStack, texts, type Stack } from "./helpers/stack.js";

let stack: Stack | undefined;

afterEach(async () => {
  await stack?.close();
  stack = undefined;
});

describe("worker end to end (emulator → receiver → Redis → worker → emulator)", () => {
  it("answers ping with pong", async () => {
    stack = await startStack("ping");
    await stack.startWorker();
    await stack.say("ping");
    const replies = await stack.waitForReplies(1);
    expect(texts(replies)).toEqual(["**pong**"]);
    expect(replies[0]?.message.roomId).toBe(stack.room.id);
  });

  it("runs the example bot when no bot module is configured", async () => {
    stack = await startStack("example");
    await stack.startWorker({ bot: undefined });
    await stack.say('echo "hello world" again');
    const replies = await stack.waitForReplies(1);
    expect(texts(replies)).toEqual(["hello world"]);
  });

  it("streams interim replies while the handler still runs", async () => {
    stack = await startStack("interim");
    // The handler yields "working", then waits until the test lets it go: "working" can reach
    // the room only if it is sent while the handler still runs.
    let release = () => {};
    const gate = new Promise<void>((resolve) => (release = resolve));
    const bot = new SparkBot().command("gated", async function* () {
      yield "working";
      await gate;
      yield "done";
    });
    await stack.startWorker({ bot });
    await stack.say("gated");
    const [working] = await stack.waitForReplies(1, 30_000);
    expect(working?.message.markdown).toBe("working");
    release();
    const replies = await stack.waitForReplies(2, 30_000);
    expect(texts(replies)).toEqual(["working", "done"]);
  });

  it("answers a mention in a group room, and in its thread when the message was in one", async () => {
    stack = await startStack("group");
    const { control, user, botPerson, emulator } = stack;
    await stack.startWorker();
    const group = await control.createRoom({
      title: "team",
      type: "group",
      members: [user.id, botPerson.id],
    });
    const root = await control.sendMessage({
      personId: user.id,
      roomId: group.id,
      text: "ping",
      mentions: [botPerson.id],
    });
    const [first] = await stack.waitForReplies(1);
    expect(first?.message).toMatchObject({ roomId: group.id, markdown: "**pong**" });
    expect(first?.message.parentId).toBeUndefined();

    const threaded = await fetch(`${emulator.url}/_emulator/messages`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        personId: user.id,
        roomId: group.id,
        text: "ping",
        mentions: [botPerson.id],
        parentId: root.id,
      }),
    });
    expect(threaded.status).toBeLessThan(300);
    const replies = await stack.waitForReplies(2);
    expect(replies[1]?.message).toMatchObject({
      roomId: group.id,
      markdown: "**pong**",
      parentId: root.id,
    });
  });
});
