import { describe, expect, it } from "vitest";
import { CommandSetupError, SparkBot, loadAccessPolicy, membershipKind } from "../../src/index.js";
import { createTestChat } from "../../src/testing/index.js";

describe("membership events", () => {
  it("greets the room the bot was added to, naming who added it", async () => {
    const bot = new SparkBot().on("botAdded", async ({ actor, roomId, membership }) => {
      const who = await actor;
      return `Hi! ${who.displayName} added me to ${roomId === membership.roomId ? "this room" : "?"}.`;
    });
    const chat = createTestChat(bot);
    const boss = chat.person({ email: "boss@example.com", displayName: "Boss" });
    const added = await chat.botAdded({ by: boss });
    expect(added).toMatchObject({
      replies: ["Hi! Boss added me to this room."],
      command: "botAdded",
      outcome: "ok",
    });
    expect(added.sent[0]?.roomId).toBe(added.room.id);
  });

  it("tells joins and departures of others apart from the bot's own", async () => {
    const seen: string[] = [];
    const bot = new SparkBot()
      .on("personJoined", ({ membership, actorId }) => {
        seen.push(
          `joined ${membership.personDisplayName ?? ""} by ${actorId === undefined ? "?" : "someone"}`,
        );
        return `Welcome, ${membership.personDisplayName ?? ""}!`;
      })
      .on("personLeft", ({ membership }) => void seen.push(`left ${membership.personEmail}`))
      .on("botRemoved", ({ roomId }) => void seen.push(`removed from ${roomId}`));
    const chat = createTestChat(bot);
    const eve = chat.person({ email: "eve@example.com", displayName: "Eve" });
    expect((await chat.personJoined(eve)).replies).toEqual(["Welcome, Eve!"]);
    expect((await chat.personLeft(eve)).outcome).toBe("ok");
    expect((await chat.botRemoved()).outcome).toBe("ok");
    expect(seen).toEqual([
      "joined Eve by someone",
      "left eve@example.com",
      `removed from ${chat.groupRoom.id}`,
    ]);
  });

  it("runs nothing for events without a handler", async () => {
    const chat = createTestChat(new SparkBot());
    expect(await chat.botAdded()).toMatchObject({
      replies: [],
      outcome: "unhandled",
      command: "botAdded",
    });
  });

  it("cannot reply after the bot was removed; failures are logged, never said in the room", async () => {
    const bot = new SparkBot()
      .on("botRemoved", () => "goodbye")
      .on("botAdded", () => {
        throw new Error("database down");
      });
    const chat = createTestChat(bot);
    const removed = await chat.botRemoved();
    expect(removed).toMatchObject({ outcome: "error", replies: [] });
    expect(String(removed.error)).toContain("cannot reply there");
    expect(await chat.botAdded()).toMatchObject({ outcome: "error", replies: [] });
  });

  it("goes through middleware with ctx.type membership; room rules apply, people rules do not", async () => {
    const types: string[] = [];
    const bot = new SparkBot()
      .use(async (ctx, next) => {
        types.push(`${ctx.type}:${ctx.name}`);
        await next();
      })
      .on("botAdded", () => "hello");
    const access = loadAccessPolicy({
      ACCESS_ALLOW_EMAIL_DOMAINS: "example.com",
      ACCESS_ALLOW_ROOM_TYPES: "direct",
    });
    const chat = createTestChat(bot, { access });
    const outsider = chat.person({ email: "eve@elsewhere.org" });
    const group = await chat.botAdded({ by: outsider });
    expect(group).toMatchObject({ outcome: "denied", replies: [] });
    expect(group.denial).toMatchObject({ reason: "room", replied: false });
    const open = createTestChat(bot, {
      access: loadAccessPolicy({ ACCESS_ALLOW_EMAIL_DOMAINS: "example.com" }),
    });
    expect(
      (await open.botAdded({ by: open.person({ email: "eve@elsewhere.org" }) })).replies,
    ).toEqual(["hello"]);
    expect(types).toEqual(["membership:botAdded"]);
  });

  it("registers one handler per event, and says which events it handles", () => {
    const bot = new SparkBot().on("personLeft", () => undefined).on("botAdded", () => undefined);
    expect(bot.handledEvents).toEqual({ memberships: ["botAdded", "personLeft"] });
    expect(() => bot.on("botAdded", () => undefined)).toThrow(CommandSetupError);
    expect(() => bot.on("joined" as never, () => undefined)).toThrow(/botAdded, botRemoved/);
  });

  it("names the kind from the event and whose membership it is", () => {
    expect(membershipKind("created", "bot", "bot")).toBe("botAdded");
    expect(membershipKind("deleted", "bot", "bot")).toBe("botRemoved");
    expect(membershipKind("created", "ada", "bot")).toBe("personJoined");
    expect(membershipKind("deleted", "ada", "bot")).toBe("personLeft");
    expect(membershipKind("updated", "ada", "bot")).toBeUndefined();
  });
});
