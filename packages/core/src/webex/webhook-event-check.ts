/*
 * A hand-written test of the webhook envelope, the receiver's hot path: it accepts only bodies
 * that `webhookEventSchema` (zod) accepts as they are, in a fraction of zod's time. Whatever it
 * does not accept goes through zod, which answers the same as before (the parsed event, or the
 * error naming the bad fields); so it must never accept what zod would refuse or change. A test
 * (test/webex/webhook-event-check.test.ts) holds the two together over many shapes.
 */

type Fields = Record<string, unknown>;

/** A plain object that zod's object schema would give back unchanged (no `__proto__` key). */
function isPlainRecord(value: unknown): value is Fields {
  if (typeof value !== "object" || value === null) return false;
  const proto = Object.getPrototypeOf(value) as unknown;
  // zod drops an own `__proto__` key (JSON.parse makes one); leave such bodies to zod.
  return proto === Object.prototype && !Object.hasOwn(value, "__proto__");
}

const isText = (value: unknown): value is string => typeof value === "string";
const isNonEmptyText = (value: unknown): boolean => typeof value === "string" && value !== "";
const isOptionalText = (value: unknown): boolean =>
  value === undefined || typeof value === "string";

const OPTIONAL_TOP = [
  "filter",
  "orgId",
  "createdBy",
  "appId",
  "ownedBy",
  "status",
  "created",
  "actorId",
] as const;
const OPTIONAL_DATA = [
  "roomId",
  "personId",
  "personEmail",
  "messageId",
  "parentId",
  "created",
] as const;

function isEventData(data: unknown): boolean {
  if (!isPlainRecord(data) || !isNonEmptyText(data["id"])) return false;
  for (const key of OPTIONAL_DATA) if (!isOptionalText(data[key])) return false;
  const roomType = data["roomType"];
  if (roomType !== undefined && roomType !== "direct" && roomType !== "group") return false;
  const mentioned = data["mentionedPeople"];
  if (mentioned !== undefined) {
    if (!Array.isArray(mentioned)) return false;
    for (const person of mentioned as unknown[]) if (!isText(person)) return false;
  }
  return true;
}

/**
 * True when `body` is a webhook envelope that `webhookEventSchema.parse` would return as it is
 * (every known field of the right type, unknown fields kept). False says nothing: ask zod.
 */
export function isWellFormedWebhookEvent(body: unknown): boolean {
  if (!isPlainRecord(body)) return false;
  if (!isNonEmptyText(body["id"]) || !isText(body["name"]) || !isText(body["targetUrl"])) {
    return false;
  }
  if (!isNonEmptyText(body["resource"]) || !isNonEmptyText(body["event"])) return false;
  for (const key of OPTIONAL_TOP) if (!isOptionalText(body[key])) return false;
  return isEventData(body["data"]);
}
