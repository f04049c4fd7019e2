// The hand-written envelope check must never accept what the zod schema refuses or changes:
// every shape it accepts, zod accepts too and gives back equal; and parseWebhookEvent answers
// zod's error for whatever the check leaves to it.
import { describe, expect, it } from "vitest";
import { parseWebhookEvent, webhookEventSchema } from "../../src/index.js";
import { isWellFormedWebhookEvent } from "../../src/webex/webhook-event-check.js";

const valid = () => ({
  id: "webhook-1",
  name: "bot webhook",
  targetUrl: "https://bot.example.com/sparkbot",
  resource: "messages",
  event: "created",
  filter: "roomType=direct",
  orgId: "org",
  createdBy: "creator",
  appId: "app",
  ownedBy: "creator",
  status: "active",
  created: "2024-05-20T09:00:00.000Z",
  actorId: "person",
  extra: { kept: [1, 2, 3] },
  data: {
    id: "message-1",
    roomId: "room",
    roomType: "direct",
    personId: "person",
    personEmail: "someone@example.com",
    mentionedPeople: ["a", "b"],
    messageId: "m",
    parentId: "p",
    created: "2024-05-20T09:00:00.000Z",
    files: ["f"],
  },
});

/** Values put in each field in turn: each type JSON can carry, and edge strings. */
const VALUES: unknown[] = [
  undefined,
  null,
  "",
  "x",
  0,
  1,
  true,
  false,
  [],
  ["x"],
  [1],
  {},
  { a: 1 },
];
const TOP_FIELDS = [...Object.keys(valid()), "data", "missing"];
const DATA_FIELDS = [...Object.keys(valid().data), "roomType", "missing"];

function variants(): unknown[] {
  const out: unknown[] = [valid(), null, [], "text", 1, [valid()], Object.create(null)];
  for (const field of TOP_FIELDS) {
    for (const value of VALUES) {
      const body: Record<string, unknown> = valid();
      if (value === undefined) delete body[field];
      else body[field] = value;
      out.push(body);
    }
  }
  for (const field of DATA_FIELDS) {
    for (const value of [...VALUES, "group", "direct", "other", ["x", 1]]) {
      const body = valid();
      const data: Record<string, unknown> = body.data;
      if (value === undefined) delete data[field];
      else data[field] = value;
      out.push(body);
    }
  }
  out.push(JSON.parse(`{"__proto__": {"x": 1}, ${JSON.stringify(valid()).slice(1)}`));
  const nested = valid();
  out.push({ ...nested, data: JSON.parse(`{"__proto__": 1, "id": "m"}`) as unknown });
  out.push({ ...valid(), data: Object.assign(Object.create(null) as object, { id: "m" }) });
  return out;
}

describe("the hand-written webhook envelope check", () => {
  it("accepts only what zod accepts, and zod gives those back equal", () => {
    let accepted = 0;
    for (const body of variants()) {
      const zod = webhookEventSchema.safeParse(body);
      if (isWellFormedWebhookEvent(body)) {
        accepted += 1;
        expect(zod.success, JSON.stringify(body)).toBe(true);
        expect(zod.data).toStrictEqual(body);
      }
    }
    expect(accepted).toBeGreaterThan(50);
  });

  it("leaves every body zod refuses to zod, with zod's error", () => {
    for (const body of variants()) {
      const zod = webhookEventSchema.safeParse(body);
      if (zod.success) {
        expect(parseWebhookEvent(body)).toStrictEqual(zod.data);
      } else {
        expect(() => parseWebhookEvent(body)).toThrow(/^Malformed webhook event: /);
      }
    }
  });

  it("returns a well-formed body as it is", () => {
    const body = valid();
    expect(parseWebhookEvent(body)).toBe(body);
  });
});
