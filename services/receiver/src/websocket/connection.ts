import { randomUUID } from "node:crypto";
import type { Agent } from "node:http";
import { WebSocket } from "ws";

/*
 * One websocket session (protocol notes §4–§5): connect to the device's `webSocketUrl`,
 * authorize in-band with `Bearer <token>`, wait for `mercury.buffer_state`, then ping every
 * `pingIntervalMs` after each pong (no pong within `pongTimeoutMs`: closed as "pong not
 * received"). Activities are handed to `onActivity` without blocking the reader; a frame is
 * acked once its activity is handled (stored), so what is not stored comes again from Mercury's
 * buffer on the device's next connection.
 */

/** How a session ended. */
export interface SessionEnd {
  code: number;
  reason: string;
  /** True when the session got as far as buffer_state. */
  wasReady: boolean;
  /** The HTTP status of a refused upgrade (404: the device is gone). */
  httpStatus?: number;
}

export interface SessionOptions {
  webSocketUrl: string;
  token: string;
  /** Called once the socket is authorized (buffer_state came). */
  onReady(): void;
  /** Handles a `conversation.activity`; the frame is acked when it resolves. */
  onActivity(activity: Record<string, unknown>): Promise<void>;
  signal: AbortSignal;
  pingIntervalMs: number;
  pongTimeoutMs: number;
  /** Longest wait for buffer_state after connecting (default 30 s). */
  readyTimeoutMs?: number;
  /** Connects through this agent (a proxy tunnel); undefined: direct. */
  agent?: Agent | undefined;
}

export function runSession(options: SessionOptions): Promise<SessionEnd> {
  const url = new URL(options.webSocketUrl);
  url.searchParams.set("outboundWireFormat", "text");
  url.searchParams.set("bufferStates", "true");
  url.searchParams.set("aliasHttpStatus", "true");
  url.searchParams.set("clientTimestamp", String(Date.now()));
  const ws = new WebSocket(url, {
    handshakeTimeout: 15_000,
    ...(options.agent !== undefined ? { agent: options.agent } : {}),
  });
  let ready = false;
  let ended = false;
  let localClose: { code: number; reason: string } | undefined;
  let httpStatus: number | undefined;
  let pingTimer: NodeJS.Timeout | undefined;
  let pongTimer: NodeJS.Timeout | undefined;
  let pendingPing: string | undefined;

  const closeLocally = (code: number, reason: string) => {
    localClose ??= { code, reason };
    clearTimeout(pingTimer);
    clearTimeout(pongTimer);
    ws.close(code, reason);
    // A peer that stopped answering may not answer the close either.
    setTimeout(() => ws.terminate(), 1_000).unref();
  };

  const ping = () => {
    pendingPing = randomUUID();
    send({ id: pendingPing, type: "ping" });
    pongTimer = setTimeout(() => closeLocally(1000, "pong not received"), options.pongTimeoutMs);
  };

  const send = (frame: Record<string, unknown>) => {
    if (ws.readyState === WebSocket.OPEN) ws.send(JSON.stringify(frame));
  };

  const readyTimer = setTimeout(
    () => closeLocally(1000, "done (forced): no buffer_state"),
    options.readyTimeoutMs ?? 30_000,
  );
  const onAbort = () => closeLocally(1000, "shutdown");
  options.signal.addEventListener("abort", onAbort, { once: true });

  ws.on("open", () => {
    send({
      id: randomUUID(),
      type: "authorization",
      data: { token: `Bearer ${options.token}` },
      trackingId: `sparkbot_${randomUUID()}`,
    });
  });
  ws.on("unexpected-response", (_req, res) => {
    httpStatus = res.statusCode;
    res.resume();
    ws.terminate();
  });
  ws.on("error", () => undefined);
  ws.on("message", (data) => {
    let frame: Record<string, unknown>;
    try {
      frame = JSON.parse(String(data)) as Record<string, unknown>;
    } catch {
      return;
    }
    if (frame["type"] === "pong") {
      if (frame["id"] !== pendingPing) return closeLocally(1000, "pong mismatch");
      clearTimeout(pongTimer);
      pingTimer = setTimeout(ping, options.pingIntervalMs);
      return;
    }
    const id = typeof frame["id"] === "string" ? frame["id"] : undefined;
    const payload = frame["data"] as Record<string, unknown> | undefined;
    const eventType = payload?.["eventType"];
    if (
      !ready &&
      (eventType === "mercury.buffer_state" || eventType === "mercury.registration_status")
    ) {
      ready = true;
      clearTimeout(readyTimer);
      if (id !== undefined) send({ messageId: id, type: "ack" });
      options.onReady();
      ping();
      return;
    }
    const activity = payload?.["activity"];
    if (
      eventType === "conversation.activity" &&
      typeof activity === "object" &&
      activity !== null
    ) {
      void options.onActivity(activity as Record<string, unknown>).then(
        () => {
          if (id !== undefined) send({ messageId: id, type: "ack" });
        },
        () => undefined, // not acked: Mercury sends it again on the device's next connection
      );
      return;
    }
    if (id !== undefined) send({ messageId: id, type: "ack" });
  });

  return new Promise((resolve) => {
    ws.on("close", (code, reason) => {
      if (ended) return;
      ended = true;
      clearTimeout(readyTimer);
      clearTimeout(pingTimer);
      clearTimeout(pongTimer);
      options.signal.removeEventListener("abort", onAbort);
      resolve({
        code: localClose?.code ?? code,
        reason: localClose?.reason ?? String(reason),
        wasReady: ready,
        ...(httpStatus !== undefined ? { httpStatus } : {}),
      });
    });
  });
}

/**
 * What to do after a session ended (JS SDK `_onclose`): `reconnect`; `refresh` the device
 * first (1005); `new-device` (the upgrade was refused with 404: WDM forgot the device); or
 * `stop` (another connection replaced this one, the account is not entitled, or an unknown
 * code) — the listener then gives up the lease and competes again after the longest backoff.
 */
const RECONNECT_REASONS = ["idle", "done (forced)", "pong not received", "pong mismatch"];

export function afterClose(end: SessionEnd): "reconnect" | "refresh" | "new-device" | "stop" {
  if (end.httpStatus === 404) return "new-device";
  if (end.httpStatus !== undefined) return "reconnect";
  const reason = end.reason.toLowerCase();
  switch (end.code) {
    case 1005:
      return "refresh";
    case 1001:
    case 1006:
    case 1011:
    case 4401:
      return "reconnect";
    case 1000:
    case 1050:
      return RECONNECT_REASONS.some((r) => reason.startsWith(r)) ? "reconnect" : "stop";
    case 4000:
    case 4400:
    case 4403:
    case 1003:
      return "stop";
    default:
      return end.code >= 4000 ? "reconnect" : "stop";
  }
}
