import type { Message } from "@sparkbot/core";
import { renderMessage } from "./render-markdown.js";

/** A message as the chat page shows it: the stored Webex message plus its safe rendered HTML. */
export interface ChatMessageView {
  message: Message;
  /** The message's markdown rendered to HTML, with everything from the message escaped. */
  html: string;
}

/** One webhook delivery attempt, as the page's side panel lists it. */
export interface ChatDeliveryView {
  id: string;
  webhookId: string;
  /** Target URL the envelope was POSTed to. */
  target: string;
  /** HTTP status answered, or null when the target could not be reached. */
  status: number | null;
  ok: boolean;
  latencyMs: number | null;
  error: string | null;
  /** ISO time of the attempt. */
  at: string;
  resource: string;
  event: string;
  /** `data.id` of the envelope: for message events, the message id. */
  messageId: string | null;
  /** `data.roomId` of the envelope, when it has one. */
  roomId: string | null;
  /** The exact envelope that was sent. */
  body: unknown;
}

/** Wraps a stored message with its rendered HTML. */
export function toMessageView(message: Message): ChatMessageView {
  return { message, html: renderMessage(message) };
}

/** Whether a value is a plain JSON-like object. */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Whether a value looks enough like a Webex message to show it. */
export function isMessage(value: unknown): value is Message {
  return isRecord(value) && typeof value["id"] === "string" && typeof value["roomId"] === "string";
}

function text(value: unknown): string | null {
  return typeof value === "string" ? value : null;
}

function num(value: unknown): number | null {
  return typeof value === "number" && Number.isFinite(value) ? value : null;
}

/** The envelope as an object: parsed when it was recorded as the JSON text or bytes sent. */
function envelopeOf(body: unknown): unknown {
  const raw = body instanceof Uint8Array ? Buffer.from(body).toString("utf8") : body;
  if (typeof raw !== "string") return raw;
  try {
    return JSON.parse(raw) as unknown;
  } catch {
    return raw;
  }
}

/**
 * Turns the emulator's delivery record into the page's view, tolerating the field names a
 * delivery log may use (`target`/`targetUrl`, `latencyMs`/`latency`, `at`/`created`).
 */
export function toDeliveryView(record: unknown): ChatDeliveryView {
  const r = isRecord(record) ? record : {};
  const body = envelopeOf(r["body"]);
  const envelope = isRecord(body) ? body : {};
  const data = isRecord(envelope["data"]) ? envelope["data"] : {};
  const status = num(r["status"]) ?? num(r["statusCode"]);
  const ok = typeof r["ok"] === "boolean" ? r["ok"] : status !== null && status < 300;
  return {
    id: text(r["id"]) ?? "",
    webhookId: text(r["webhookId"]) ?? text(envelope["id"]) ?? "",
    target: text(r["target"]) ?? text(r["targetUrl"]) ?? text(envelope["targetUrl"]) ?? "",
    status: status === 0 ? null : status,
    ok,
    latencyMs: num(r["latencyMs"]) ?? num(r["latency"]),
    error: text(r["error"]),
    at: text(r["at"]) ?? text(r["created"]) ?? new Date().toISOString(),
    resource: text(r["resource"]) ?? text(envelope["resource"]) ?? "",
    event: text(r["event"]) ?? text(envelope["event"]) ?? "",
    messageId: text(r["dataId"]) ?? text(data["id"]),
    roomId: text(data["roomId"]),
    body,
  };
}

/** A change of a room's members, as the conversation shows it. */
export interface ChatChangeView {
  id: string;
  roomId: string;
  event: "created" | "deleted";
  personId: string;
  /** The member's display name, as the membership says. */
  displayName: string;
  actorId: string;
  at: string;
}

/** The page's view of a membership change; undefined for what is not one. */
export function toChangeView(change: unknown): ChatChangeView | undefined {
  if (!isRecord(change) || !isRecord(change["membership"])) return undefined;
  const membership = change["membership"];
  const event = change["event"];
  const at = text(change["at"]) ?? "";
  const personId = text(membership["personId"]) ?? "";
  if (event !== "created" && event !== "deleted") return undefined;
  return {
    id: `${event}:${text(membership["id"]) ?? personId}:${at}`,
    roomId: text(membership["roomId"]) ?? "",
    event,
    personId,
    displayName: text(membership["personDisplayName"]) ?? text(membership["personEmail"]) ?? "",
    actorId: text(change["actorId"]) ?? personId,
    at,
  };
}
