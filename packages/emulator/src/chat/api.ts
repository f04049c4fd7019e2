import type { IncomingMessage, ServerResponse } from "node:http";
import type { Person, Room } from "@sparkbot/core";
import { sendJson } from "./static-files.js";
import { isMessage, isRecord, toChangeView, toDeliveryView, toMessageView } from "./views.js";

/**
 * The page's JSON API under `/chat/api`. It reads and writes through the emulator's own control
 * API (`/_emulator/...`) over loopback, so the page depends only on that documented contract, and
 * adds what the page needs on top: rendered markdown and normalised delivery records.
 */

/** A room as the page lists it: the Webex room plus the person ids of its members. */
export interface ChatRoom extends Room {
  members: string[];
}

/** What `GET /chat/api/state` answers. */
export interface ChatState {
  people: Person[];
  rooms: ChatRoom[];
}

/** The most messages of a room, and deliveries, the page loads (the latest ones). */
export const HISTORY_LIMIT = 500;

/** Largest body the composer may post. */
const MAX_BODY_BYTES = 64 * 1024;

/** The emulator's own base URL as seen from inside it (loopback, the socket's local port). */
function selfBase(req: IncomingMessage): string {
  const address = req.socket.localAddress ?? "127.0.0.1";
  const host = address.includes(":") ? `[${address.replace(/^::ffff:/, "")}]` : address;
  const usable = host === "[::]" || host === "0.0.0.0" ? "127.0.0.1" : host;
  const mapped = /^\[\d+\.\d+\.\d+\.\d+\]$/.test(usable) ? usable.slice(1, -1) : usable;
  return `http://${mapped}:${req.socket.localPort ?? 80}`;
}

/** An error answer from the control API, passed through to the page. */
class ControlError extends Error {
  constructor(
    readonly status: number,
    readonly body: unknown,
  ) {
    super(`control API answered ${status}`);
  }
}

async function control(
  req: IncomingMessage,
  path: string,
  init?: { method: string; body: unknown },
): Promise<unknown> {
  const response = await fetch(`${selfBase(req)}${path}`, {
    method: init?.method ?? "GET",
    headers: init ? { "content-type": "application/json" } : {},
    body: init ? JSON.stringify(init.body) : undefined,
  });
  const text = await response.text();
  const body: unknown = text === "" ? {} : JSON.parse(text);
  if (!response.ok) throw new ControlError(response.status, body);
  return body;
}

function itemsOf(body: unknown): unknown[] {
  return isRecord(body) && Array.isArray(body["items"]) ? body["items"] : [];
}

function toChatRoom(room: unknown): ChatRoom | undefined {
  if (!isRecord(room) || typeof room["id"] !== "string") return undefined;
  const members = Array.isArray(room["members"])
    ? room["members"].filter((m): m is string => typeof m === "string")
    : [];
  return { ...(room as unknown as Room), members };
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buffer = chunk as Buffer;
    size += buffer.length;
    if (size > MAX_BODY_BYTES) throw new ControlError(413, { message: "Message too large." });
    chunks.push(buffer);
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString("utf8")) as unknown;
  } catch {
    throw new ControlError(400, { message: "The request body is not JSON." });
  }
}

/** `GET /chat/api/state`: the people (bots included, with `type`) and rooms with members. */
async function getState(req: IncomingMessage): Promise<ChatState> {
  const [people, rooms] = await Promise.all([
    control(req, "/_emulator/people"),
    control(req, "/_emulator/rooms"),
  ]);
  return {
    people: itemsOf(people).filter((p): p is Person => isRecord(p) && typeof p["id"] === "string"),
    rooms: itemsOf(rooms)
      .map(toChatRoom)
      .filter((r): r is ChatRoom => r !== undefined),
  };
}

/** `POST /chat/api/messages` {personId, roomId, text, mentions?}: posts as that person. */
async function postMessage(req: IncomingMessage): Promise<unknown> {
  const input = await readJson(req);
  if (!isRecord(input)) throw new ControlError(400, { message: "Expected a JSON object." });
  const mentions = Array.isArray(input["mentions"]) ? input["mentions"] : [];
  const message = await control(req, "/_emulator/messages", {
    method: "POST",
    body: {
      personId: input["personId"],
      roomId: input["roomId"],
      text: input["text"],
      ...(mentions.length > 0 ? { mentions } : {}),
    },
  });
  return isMessage(message) ? toMessageView(message) : message;
}

/** `POST /chat/api/attachment-actions` {personId, messageId, inputs}: a card submitted as that person. */
async function submitCard(req: IncomingMessage): Promise<unknown> {
  const input = await readJson(req);
  if (!isRecord(input)) throw new ControlError(400, { message: "Expected a JSON object." });
  const { personId, messageId, inputs } = input;
  return control(req, "/_emulator/attachment-actions", {
    method: "POST",
    body: { type: "submit", personId, messageId, inputs: isRecord(inputs) ? inputs : {} },
  });
}

/** `POST /chat/api/rooms/:id/members` {personId, actorId}: someone added to the room. */
async function addMember(req: IncomingMessage, roomId: string): Promise<unknown> {
  const input = await readJson(req);
  if (!isRecord(input)) throw new ControlError(400, { message: "Expected a JSON object." });
  const { personId, actorId } = input;
  return control(req, `/_emulator/rooms/${roomId}/members`, {
    method: "POST",
    body: { personId, ...(typeof actorId === "string" ? { actorId } : {}) },
  });
}

/** A room's messages (rendered) and the changes of its members, the latest ones. */
async function roomHistory(req: IncomingMessage, roomId: string): Promise<unknown> {
  const [messages, changes] = await Promise.all([
    control(req, `/_emulator/rooms/${roomId}/messages`),
    control(req, `/_emulator/rooms/${roomId}/membership-changes`),
  ]);
  const items = itemsOf(messages).filter(isMessage).slice(-HISTORY_LIMIT);
  return {
    items: items.map(toMessageView),
    changes: itemsOf(changes)
      .slice(-HISTORY_LIMIT)
      .flatMap((c) => toChangeView(c) ?? []),
  };
}

/** Answers a request under `/chat/api/`; `path` is the part after that prefix. */
export async function handleApi(
  req: IncomingMessage,
  res: ServerResponse,
  path: string,
): Promise<void> {
  try {
    const method = req.method ?? "GET";
    const roomMessages = /^rooms\/([^/]+)\/messages$/.exec(path);
    const members = /^rooms\/([^/]+)\/members(?:\/([^/]+))?$/.exec(path);
    const param = (value: string) => encodeURIComponent(decodeURIComponent(value));
    if (method === "GET" && path === "state") {
      sendJson(res, 200, await getState(req));
    } else if (method === "GET" && roomMessages?.[1] !== undefined) {
      sendJson(res, 200, await roomHistory(req, param(roomMessages[1])));
    } else if (method === "POST" && path === "attachment-actions") {
      sendJson(res, 200, await submitCard(req));
    } else if (method === "POST" && members?.[1] !== undefined && members[2] === undefined) {
      sendJson(res, 200, await addMember(req, param(members[1])));
    } else if (method === "DELETE" && members?.[1] !== undefined && members[2] !== undefined) {
      const actor = new URL(req.url ?? "/", "http://chat.invalid").searchParams.get("actorId");
      const query = actor === null ? "" : `?actorId=${encodeURIComponent(actor)}`;
      const path = `/_emulator/rooms/${param(members[1])}/members/${param(members[2])}${query}`;
      await control(req, path, { method: "DELETE", body: {} });
      sendJson(res, 200, {});
    } else if (method === "GET" && path === "deliveries") {
      const body = await control(req, "/_emulator/deliveries");
      sendJson(res, 200, { items: itemsOf(body).slice(-HISTORY_LIMIT).map(toDeliveryView) });
    } else if (method === "POST" && path === "messages") {
      sendJson(res, 200, await postMessage(req));
    } else {
      sendJson(res, 404, { message: `No chat API route ${method} /chat/api/${path}` });
    }
  } catch (error) {
    if (error instanceof ControlError) sendJson(res, error.status, error.body);
    else sendJson(res, 502, { message: error instanceof Error ? error.message : String(error) });
  }
}
