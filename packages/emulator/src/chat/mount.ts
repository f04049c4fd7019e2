import type { EventEmitter } from "node:events";
import type { IncomingMessage, ServerResponse } from "node:http";
import { handleApi } from "./api.js";
import { ChatEventStream } from "./event-stream.js";
import { isStaticFile, sendStaticFile, sendText } from "./static-files.js";

/** The path the chat page is served at. */
export const CHAT_PATH = "/chat";

/** A raw request handler, as the emulator's `addRoute` takes it. */
export type ChatRouteHandler = (req: IncomingMessage, res: ServerResponse) => void | Promise<void>;

/** What the chat page needs from the running emulator (structurally typed). */
export interface ChatHost {
  /** Emits "message" (every stored message) and "delivery" (every webhook delivery attempt). */
  events: EventEmitter;
  /** Registers a raw handler for every path starting with `pathPrefix`. */
  addRoute(method: string, pathPrefix: string, handler: ChatRouteHandler): void;
}

/** The mounted page; `close()` ends the open live streams so the server can close. */
export interface MountedChatPage {
  close(): void;
}

/**
 * Mounts the chat page on the emulator: `GET /chat` (the page and its assets under
 * `/chat/assets/`, the Adaptive Cards renderer included), `GET /chat/events` (server-sent
 * events: messages, deliveries and membership changes, live) and the page's JSON API under
 * `/chat/api/` (state, a room's messages rendered and its membership changes, deliveries, post,
 * card submissions, members added and removed).
 */
export function mountChatPage(host: ChatHost): MountedChatPage {
  const stream = new ChatEventStream(host.events);
  const handler: ChatRouteHandler = async (req, res) => {
    const pathname = new URL(req.url ?? "/", "http://chat.invalid").pathname;
    const rest = pathname.slice(CHAT_PATH.length);
    if (rest === "" || rest === "/") {
      if (req.method !== "GET" && req.method !== "HEAD") return sendText(res, 405, "GET only");
      return sendStaticFile(res, "index.html");
    }
    if (rest === "/events") return stream.open(req, res);
    if (rest.startsWith("/api/")) return handleApi(req, res, rest.slice("/api/".length));
    const asset = rest.startsWith("/assets/") ? rest.slice("/assets/".length) : "";
    if (isStaticFile(asset) && req.method === "GET") return sendStaticFile(res, asset);
    return sendText(res, 404, "Not found");
  };
  host.addRoute("*", CHAT_PATH, (req, res) =>
    Promise.resolve(handler(req, res)).catch((error: unknown) => {
      if (!res.headersSent) sendText(res, 500, `Chat page error: ${String(error)}`);
      else res.end();
    }),
  );
  return { close: () => stream.close() };
}
