import type { EventEmitter } from "node:events";
import type { IncomingMessage, ServerResponse } from "node:http";
import { isMessage, isRecord, toChangeView, toDeliveryView, toMessageView } from "./views.js";

/** How often an idle stream gets a comment line, so proxies and browsers keep it open. */
const HEARTBEAT_MS = 15_000;

/**
 * The page's live feed: one server-sent-events stream per open page, carrying every stored
 * message (`event: message`, a ChatMessageView), every delivery attempt (`event: delivery`, a
 * ChatDeliveryView), every change of a room's members (`event: membership`, a ChatChangeView)
 * and a `rooms` nudge when a membership is created or removed (rooms or people changed), as
 * the emulator emits them.
 */
export class ChatEventStream {
  private readonly clients = new Set<ServerResponse>();
  private readonly heartbeat: NodeJS.Timeout;

  // With no page open nothing is rendered, so benchmarks through the emulator pay nothing.
  private readonly onMessage = (message: unknown): void => {
    if (this.clients.size > 0 && isMessage(message)) {
      this.broadcast("message", toMessageView(message));
    }
  };

  private readonly onDelivery = (record: unknown): void => {
    if (this.clients.size > 0) this.broadcast("delivery", toDeliveryView(record));
  };

  private readonly onMembership = (membership: unknown): void => {
    if (this.clients.size === 0) return;
    const roomId = isRecord(membership) ? membership["roomId"] : undefined;
    this.broadcast("rooms", { roomId: typeof roomId === "string" ? roomId : null });
  };

  private readonly onChange = (change: unknown): void => {
    if (this.clients.size === 0) return;
    const view = toChangeView(change);
    if (view !== undefined) this.broadcast("membership", view);
    // Removals change who is in which room too.
    if (view?.event === "deleted") this.broadcast("rooms", { roomId: view.roomId });
  };

  constructor(private readonly events: EventEmitter) {
    events.on("message", this.onMessage);
    events.on("delivery", this.onDelivery);
    events.on("membership", this.onMembership);
    events.on("membership-change", this.onChange);
    this.heartbeat = setInterval(() => this.write(": keep-alive\n\n"), HEARTBEAT_MS);
    this.heartbeat.unref();
  }

  /** Number of pages connected. */
  get size(): number {
    return this.clients.size;
  }

  /** Answers `GET /chat/events`: keeps the response open and registers it. */
  open(req: IncomingMessage, res: ServerResponse): void {
    res.writeHead(200, {
      "content-type": "text/event-stream; charset=utf-8",
      "cache-control": "no-cache, no-transform",
      connection: "keep-alive",
      "x-accel-buffering": "no",
    });
    res.write("retry: 1000\n\n");
    this.clients.add(res);
    const forget = (): void => {
      this.clients.delete(res);
    };
    req.on("close", forget);
    res.on("close", forget);
  }

  /** Ends every stream and stops listening (the emulator is closing). */
  close(): void {
    clearInterval(this.heartbeat);
    this.events.off("message", this.onMessage);
    this.events.off("delivery", this.onDelivery);
    this.events.off("membership", this.onMembership);
    this.events.off("membership-change", this.onChange);
    for (const res of this.clients) res.end();
    this.clients.clear();
  }

  private broadcast(event: string, data: unknown): void {
    this.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
  }

  private write(chunk: string): void {
    for (const res of this.clients) {
      if (!res.writableEnded) res.write(chunk);
    }
  }
}
