import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { api, startScene, type Scene } from "./support.js";

const CARD_TYPE = "application/vnd.microsoft.card.adaptive";
const poll = {
  type: "AdaptiveCard",
  version: "1.3",
  body: [
    { type: "TextBlock", text: "Lunch?" },
    {
      type: "Input.ChoiceSet",
      id: "choice",
      value: "pizza",
      choices: [{ title: "Pizza", value: "pizza" }],
    },
    { type: "Input.Text", id: "comment", isRequired: true },
  ],
  actions: [{ type: "Action.Submit", title: "Vote", data: { action: "vote" } }],
};

let scene: Scene;
beforeAll(async () => {
  scene = await startScene();
});
afterAll(async () => {
  await scene?.emulator.close();
});

const post = (body: Record<string, unknown>, token = scene.bot.token) =>
  api(scene.emulator, token, "POST", "/v1/messages", { roomId: scene.directRoomId, ...body });

async function hook(resource: string, event: string, filter?: string) {
  const created = await api(scene.emulator, scene.bot.token, "POST", "/v1/webhooks", {
    name: `${resource}/${event}`,
    targetUrl: "http://127.0.0.1:1/",
    resource,
    event,
    ...(filter === undefined ? {} : { filter }),
  });
  return String(created.json["id"]);
}

async function deliveriesTo(webhookId: string) {
  const all = await scene.control.settledDeliveries();
  return all.filter((d) => d.webhookId === webhookId).map((d) => d.body as Record<string, unknown>);
}

describe("messages with a card", () => {
  it("stores the card and returns it in Webex's shape, from GET and from the room's list", async () => {
    const sent = await post({
      markdown: "A poll",
      attachments: [{ contentType: CARD_TYPE, content: poll }],
    });
    expect(sent.status).toBe(200);
    expect(sent.json).toMatchObject({
      markdown: "A poll",
      text: "A poll",
      attachments: [{ contentType: CARD_TYPE, content: poll }],
    });
    const got = await api(
      scene.emulator,
      scene.bot.token,
      "GET",
      `/v1/messages/${String(sent.json["id"])}`,
    );
    expect(got.json["attachments"]).toEqual([{ contentType: CARD_TYPE, content: poll }]);
    const list = await api(
      scene.emulator,
      scene.alice.token,
      "GET",
      `/v1/messages?roomId=${scene.directRoomId}`,
    );
    expect((list.json["items"] as Record<string, unknown>[])[0]?.["attachments"]).toEqual([
      { contentType: CARD_TYPE, content: poll },
    ]);
  });

  it("answers Webex's 400s for cards it refuses", async () => {
    const { version: _v, ...noVersion } = poll;
    const cases: [unknown, string][] = [
      [[{ contentType: CARD_TYPE, content: noVersion }], "Missing Adaptive Card Version"],
      [
        [
          { contentType: CARD_TYPE, content: poll },
          { contentType: CARD_TYPE, content: poll },
        ],
        "Only one attachment",
      ],
      [[{ contentType: "application/json", content: poll }], "Unsupported attachment contentType"],
      [
        [{ contentType: CARD_TYPE, content: { type: "Hero" } }],
        "One (or more) of the arguments is invalid.",
      ],
      [{ contentType: CARD_TYPE }, "attachments must be a list"],
      [
        [
          {
            contentType: CARD_TYPE,
            content: { ...poll, body: [{ type: "TextBlock", text: "x".repeat(70_000) }] },
          },
        ],
        "Unable to share content to room",
      ],
    ];
    for (const [attachments, message] of cases) {
      const answer = await post({ text: "card", attachments });
      expect(answer.status, message).toBe(400);
      expect(answer.json["message"]).toContain(message);
    }
  });

  it("enforces the rules the documentation leaves open only when told to", async () => {
    const buttons = Array.from({ length: 6 }, (_, i) => ({
      type: "Action.Submit",
      title: `b${i}`,
    }));
    const six = [{ contentType: CARD_TYPE, content: { ...poll, actions: buttons } }];
    expect((await post({ text: "six", attachments: six })).status).toBe(200);
    expect((await post({ attachments: [{ contentType: CARD_TYPE, content: poll }] })).status).toBe(
      200,
    );
    await scene.control.setRules({ maxCardActions: 5, requireCardText: true });
    try {
      expect((await post({ text: "six", attachments: six })).json["message"]).toContain(
        "up to 5 actions",
      );
      const bare = await post({ attachments: [{ contentType: CARD_TYPE, content: poll }] });
      expect(bare.json["message"]).toContain("text or markdown is required");
    } finally {
      await scene.control.setRules({ maxCardActions: null, requireCardText: false });
    }
  });

  it("refuses a reply to a reply, or files it under the root, as the rules say", async () => {
    const root = await post({ text: "root" });
    const reply = await post({ text: "reply", parentId: root.json["id"] });
    expect(reply.json["parentId"]).toBe(root.json["id"]);
    const nested = await post({ text: "nested", parentId: reply.json["id"] });
    expect(nested.status).toBe(400);
    await scene.control.setRules({ replyToReply: "root" });
    try {
      expect((await post({ text: "nested", parentId: reply.json["id"] })).json["parentId"]).toBe(
        root.json["id"],
      );
    } finally {
      await scene.control.setRules({ replyToReply: "reject" });
    }
  });

  it("lets text be edited, not cards", async () => {
    const text = await post({ markdown: "draft" });
    const id = String(text.json["id"]);
    const edited = await api(scene.emulator, scene.bot.token, "PUT", `/v1/messages/${id}`, {
      roomId: scene.directRoomId,
      markdown: "**final**",
    });
    expect(edited.json).toMatchObject({
      markdown: "**final**",
      text: "final",
      updated: expect.any(String),
    });
    const card = await post({
      text: "c",
      attachments: [{ contentType: CARD_TYPE, content: poll }],
    });
    const refused = await api(
      scene.emulator,
      scene.bot.token,
      "PUT",
      `/v1/messages/${String(card.json["id"])}`,
      { roomId: scene.directRoomId, text: "x" },
    );
    expect(refused.status).toBe(400);
    expect(refused.json["message"]).toContain("feature unsupported");
  });
});

describe("card submissions", () => {
  it("delivers attachmentActions/created to the card's author without the inputs, which GET returns", async () => {
    const webhookId = await hook("attachmentActions", "created");
    const card = await post({
      text: "poll",
      attachments: [{ contentType: CARD_TYPE, content: poll }],
    });
    const submitted = await api(
      scene.emulator,
      scene.alice.token,
      "POST",
      "/v1/attachment/actions",
      {
        type: "submit",
        messageId: card.json["id"],
        inputs: { action: "vote", choice: "pizza", comment: "yes" },
      },
    );
    expect(submitted.status).toBe(202);
    const [envelope] = await deliveriesTo(webhookId);
    expect(envelope).toMatchObject({
      resource: "attachmentActions",
      event: "created",
      actorId: scene.alice.id,
    });
    expect(envelope?.["data"]).toEqual({
      id: submitted.json["id"],
      type: "submit",
      messageId: card.json["id"],
      personId: scene.alice.id,
      roomId: scene.directRoomId,
      created: expect.any(String),
    });
    const got = await api(
      scene.emulator,
      scene.bot.token,
      "GET",
      `/v1/attachment/actions/${String(submitted.json["id"])}`,
    );
    expect(got.json["inputs"]).toEqual({ action: "vote", choice: "pizza", comment: "yes" });
  });

  it("refuses what is not a card submission", async () => {
    const plain = await post({ text: "no card" });
    const onPlain = await api(scene.emulator, scene.alice.token, "POST", "/v1/attachment/actions", {
      type: "submit",
      messageId: plain.json["id"],
      inputs: {},
    });
    expect(onPlain.status).toBe(400);
    const card = await post({
      text: "c",
      attachments: [{ contentType: CARD_TYPE, content: poll }],
    });
    const wrongType = await api(
      scene.emulator,
      scene.alice.token,
      "POST",
      "/v1/attachment/actions",
      { type: "click", messageId: card.json["id"] },
    );
    expect(wrongType.status).toBe(400);
    const stranger = await api(scene.emulator, scene.bob.token, "POST", "/v1/attachment/actions", {
      type: "submit",
      messageId: card.json["id"],
    });
    expect(stranger.status).toBe(404);
  });

  it("presses a named button through the control API as a Webex client does", async () => {
    const card = await post({
      text: "poll",
      attachments: [{ contentType: CARD_TYPE, content: poll }],
    });
    const messageId = String(card.json["id"]);
    const action = await scene.control.submitCard({
      personId: scene.alice.id,
      messageId,
      button: "Vote",
      inputs: { comment: 42 },
    });
    expect(action.inputs).toEqual({ action: "vote", choice: "pizza", comment: "42" });
    await expect(
      scene.control.submitCard({ personId: scene.alice.id, messageId, button: "Vote" }),
    ).rejects.toThrow(/comment.{0,2} is required/);
    await expect(
      scene.control.submitCard({ personId: scene.alice.id, messageId, button: "Nope" }),
    ).rejects.toThrow(/no Action.Submit titled/);
  });
});

describe("members", () => {
  it("adds and removes people and the bot, with memberships webhooks carrying who did it", async () => {
    const created = await hook("memberships", "created", `personId=${scene.bot.id}`);
    const deleted = await hook("memberships", "deleted");
    const room = await scene.control.createRoom({
      title: "New",
      type: "group",
      members: [scene.alice.id, scene.bob.id],
    });
    await scene.control.addMember({
      roomId: room.id,
      personId: scene.bot.id,
      actorId: scene.bob.id,
    });
    const [added, ...more] = await deliveriesTo(created);
    expect(more).toEqual([]); // the filter kept alice's and bob's own memberships out
    expect(added).toMatchObject({
      resource: "memberships",
      event: "created",
      actorId: scene.bob.id,
      data: {
        roomId: room.id,
        personId: scene.bot.id,
        personEmail: "spark@webex.bot",
        roomType: "group",
        isModerator: false,
      },
    });
    await scene.control.removeMember({ roomId: room.id, personId: scene.bob.id });
    await scene.control.removeMember({
      roomId: room.id,
      personId: scene.bot.id,
      actorId: scene.alice.id,
    });
    const gone = await deliveriesTo(deleted);
    expect(gone.map((d) => [(d["data"] as { personId: string }).personId, d["actorId"]])).toEqual([
      [scene.bob.id, scene.bob.id],
      [scene.bot.id, scene.alice.id],
    ]);
    const changes = await scene.control.membershipChanges(room.id);
    expect(changes.map((c) => [c.event, c.membership.personId])).toEqual([
      ["created", scene.alice.id],
      ["created", scene.bob.id],
      ["created", scene.bot.id],
      ["deleted", scene.bob.id],
      ["deleted", scene.bot.id],
    ]);
  });

  it("refuses what Webex refuses: direct rooms, members twice, strangers acting", async () => {
    await expect(
      scene.control.addMember({ roomId: scene.directRoomId, personId: scene.bob.id }),
    ).rejects.toThrow(/409/);
    await expect(
      scene.control.addMember({ roomId: scene.groupRoomId, personId: scene.bob.id }),
    ).rejects.toThrow(/409/);
    await expect(
      scene.control.removeMember({ roomId: scene.directRoomId, personId: scene.alice.id }),
    ).rejects.toThrow(/409/);
    const room = await scene.control.createRoom({
      title: "x",
      type: "group",
      members: [scene.alice.id],
    });
    await expect(
      scene.control.addMember({ roomId: room.id, personId: scene.bot.id, actorId: scene.bob.id }),
    ).rejects.toThrow(/403/);
  });
});
