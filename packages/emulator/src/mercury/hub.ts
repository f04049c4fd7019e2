import { randomUUID } from "node:crypto";
import type { IncomingMessage } from "node:http";
import type { Duplex } from "node:stream";
import { WebSocketServer, type RawData, type WebSocket } from "ws";
import type { EmulatorStore } from "../state/store.js";
import { MERCURY_PATH, type DeviceRegistry } from "./devices.js";
import type { AddressedActivity } from "./activities.js";

/*
 * Mercury, Webex's websocket (protocol notes §4–§6), for the devices WDM registered. A client
 * connects to its device's `webSocketUrl`, sends an `authorization` frame with `Bearer <token>`
 * (the device owner's), gets a `mercury.buffer_state` frame, then `conversation.activity`
 * frames; every JSON `ping` gets a `pong` with its id; acks (`{"type":"ack","messageId":…}`)
 * are recorded and never required.
 *
 * Unacked frames (documented choice; Webex's exact rule is not): each device keeps the activity
 * frames not acked yet, and those it got while no connection was authorized — the newest 1000,
 * at most 15 minutes old. A connection that authorizes on the device gets them all again after
 * its buffer_state, oldest first, so a client that reuses its device loses nothing across a
 * reconnect (as webex_bot saw Webex re-deliver after a restart); a new device starts empty.
 *
 * A second connection authorizing on one device closes the first with 4000 "replaced".
 * Faults (control API): drop connections with any close code (1006: cut without a close
 * frame), refuse the next N authorizations (4401), stop answering pings.
 */

const MAX_PENDING = 1000;
const PENDING_MAX_AGE_MS = 15 * 60_000;

interface Pending {
  frame: Record<string, unknown>;
  at: number;
}

interface Connection {
  ws: WebSocket;
  deviceId: string;
  personId: string;
  authorized: boolean;
  sequence: number;
  authTimer?: NodeJS.Timeout;
}

/** What `GET /_emulator/websocket` reports. */
export interface MercuryState {
  devices: { id: string; ownerId: string; name: string; deviceType: string; url: string }[];
  connections: { deviceId: string; personId: string; authorized: boolean }[];
  pending: Record<string, number>;
  framesSent: number;
  acks: number;
  pings: number;
  authorizations: number;
  refusedAuthorizations: number;
  refuseAuth: number;
  answerPings: boolean;
}

export class MercuryHub {
  private readonly wss = new WebSocketServer({ noServer: true });
  private readonly connections = new Set<Connection>();
  private readonly pending = new Map<string, Pending[]>();
  private counters = { framesSent: 0, acks: 0, pings: 0, authorizations: 0, refused: 0 };
  /** Authorizations still to refuse (fault). */
  refuseAuth = 0;
  /** Whether pings get pongs (fault when false). */
  answerPings = true;

  constructor(
    private readonly store: EmulatorStore,
    private readonly devices: DeviceRegistry,
    private readonly now: () => number,
    private readonly authTimeoutMs = 30_000,
  ) {}

  /** Handles an HTTP upgrade; false when the path is not a device's websocket. */
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): boolean {
    const path = new URL(req.url ?? "/", "http://x").pathname;
    if (!path.startsWith(`${MERCURY_PATH}/`)) return false;
    const match = /^\/([^/]+)\/messages$/.exec(path.slice(MERCURY_PATH.length));
    const record = match?.[1] !== undefined ? this.devices.get(match[1]) : undefined;
    if (!record) {
      socket.end("HTTP/1.1 404 Not Found\r\nConnection: close\r\nContent-Length: 0\r\n\r\n");
      return true;
    }
    this.wss.handleUpgrade(req, socket, head, (ws) => this.open(ws, record.id, record.ownerId));
    return true;
  }

  private open(ws: WebSocket, deviceId: string, personId: string): void {
    const conn: Connection = { ws, deviceId, personId, authorized: false, sequence: 0 };
    this.connections.add(conn);
    conn.authTimer = setTimeout(
      () =>
        ws.close(
          1008,
          `authentication did not happen within the timeout window of ${this.authTimeoutMs} seconds.`,
        ),
      this.authTimeoutMs,
    );
    ws.on("message", (data) => this.onFrame(conn, data));
    ws.on("close", () => {
      clearTimeout(conn.authTimer);
      this.connections.delete(conn);
    });
    ws.on("error", () => undefined);
  }

  private onFrame(conn: Connection, data: RawData): void {
    let frame: Record<string, unknown>;
    try {
      const parsed: unknown = JSON.parse(String(data));
      if (typeof parsed !== "object" || parsed === null) throw new TypeError("not an object");
      frame = parsed as Record<string, unknown>;
    } catch {
      conn.ws.close(1003, "frames must be JSON objects");
      return;
    }
    const type = frame["type"];
    if (type === "authorization") return this.authorize(conn, frame);
    if (!conn.authorized) return conn.ws.close(1008, "authorize first");
    if (type === "ping") {
      this.counters.pings += 1;
      if (this.answerPings) this.send(conn, { id: frame["id"], type: "pong" }, false);
    } else if (type === "ack") {
      this.counters.acks += 1;
      const list = this.pending.get(conn.deviceId) ?? [];
      const index = list.findIndex((p) => p.frame["id"] === frame["messageId"]);
      if (index >= 0) list.splice(index, 1);
    }
  }

  private authorize(conn: Connection, frame: Record<string, unknown>): void {
    const data = frame["data"] as Record<string, unknown> | undefined;
    const token = typeof data?.["token"] === "string" ? data["token"] : "";
    const match = /^Bearer\s+(\S+)$/.exec(token);
    const person = match?.[1] !== undefined ? this.store.personByToken(match[1]) : undefined;
    if (this.refuseAuth > 0 || person?.id !== conn.personId) {
      if (this.refuseAuth > 0) this.refuseAuth -= 1;
      this.counters.refused += 1;
      conn.ws.close(4401, "Authorization failed");
      return;
    }
    clearTimeout(conn.authTimer);
    for (const other of this.connections) {
      if (other !== conn && other.deviceId === conn.deviceId && other.authorized) {
        other.authorized = false;
        other.ws.close(4000, "replaced");
      }
    }
    conn.authorized = true;
    this.counters.authorizations += 1;
    this.send(conn, {
      id: randomUUID(),
      data: { eventType: "mercury.buffer_state", bufferState: { conversation: "UNKNOWN" } },
    });
    for (const pending of this.pendingOf(conn.deviceId)) this.send(conn, pending.frame);
  }

  private pendingOf(deviceId: string): Pending[] {
    const cutoff = this.now() - PENDING_MAX_AGE_MS;
    const list = (this.pending.get(deviceId) ?? []).filter((p) => p.at >= cutoff);
    this.pending.set(deviceId, list);
    return [...list];
  }

  private send(conn: Connection, frame: Record<string, unknown>, numbered = true): void {
    if (conn.ws.readyState !== conn.ws.OPEN) return;
    const out = numbered
      ? {
          ...frame,
          sequenceNumber: ++conn.sequence,
          timestamp: this.now(),
          wsWriteTimestamp: this.now(),
          trackingId: `emulator_${randomUUID()}`,
          alertType: "none",
          headers: {},
          filterMessage: false,
        }
      : frame;
    this.counters.framesSent += 1;
    conn.ws.send(JSON.stringify(out));
  }

  /** Sends an activity to every device of its recipients (kept until acked, see above). */
  publish({ activity, recipients }: AddressedActivity): void {
    const people = new Set(recipients);
    for (const [deviceId, record] of this.devices.devices) {
      if (!people.has(record.ownerId)) continue;
      const frame = { id: randomUUID(), data: { eventType: "conversation.activity", activity } };
      const list = this.pending.get(deviceId) ?? [];
      list.push({ frame, at: this.now() });
      if (list.length > MAX_PENDING) list.splice(0, list.length - MAX_PENDING);
      this.pending.set(deviceId, list);
      for (const conn of this.connections) {
        if (conn.deviceId === deviceId && conn.authorized) this.send(conn, frame);
      }
    }
  }

  /** Closes connections (of one device, or all) with `code` and `reason`; 1006 cuts them. */
  drop(code = 1006, reason = "", deviceId?: string): number {
    let dropped = 0;
    for (const conn of this.connections) {
      if (deviceId !== undefined && conn.deviceId !== deviceId) continue;
      dropped += 1;
      if (code === 1006) conn.ws.terminate();
      else conn.ws.close(code, reason);
    }
    return dropped;
  }

  /** Forgets a device's pending frames and closes its connections (device deleted). */
  forgetDevice(deviceId: string): void {
    this.pending.delete(deviceId);
    this.drop(1000, "device deleted", deviceId);
  }

  state(): MercuryState {
    const pending: Record<string, number> = {};
    for (const [id, list] of this.pending) pending[id] = list.length;
    return {
      devices: [...this.devices.devices.values()].map((d) => ({
        id: d.id,
        ownerId: d.ownerId,
        name: d.device.name,
        deviceType: d.device.deviceType,
        url: d.device.url,
      })),
      connections: [...this.connections].map((c) => ({
        deviceId: c.deviceId,
        personId: c.personId,
        authorized: c.authorized,
      })),
      pending,
      framesSent: this.counters.framesSent,
      acks: this.counters.acks,
      pings: this.counters.pings,
      authorizations: this.counters.authorizations,
      refusedAuthorizations: this.counters.refused,
      refuseAuth: this.refuseAuth,
      answerPings: this.answerPings,
    };
  }

  /** Back to the start: no devices' frames, no faults, every connection closed. */
  reset(): void {
    this.drop(1000, "reset");
    this.pending.clear();
    this.refuseAuth = 0;
    this.answerPings = true;
    this.counters = { framesSent: 0, acks: 0, pings: 0, authorizations: 0, refused: 0 };
  }

  close(): void {
    for (const conn of this.connections) conn.ws.terminate();
    this.wss.close();
  }
}
