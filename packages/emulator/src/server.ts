import { EventEmitter } from "node:events";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { setTimeout as sleep } from "node:timers/promises";
import { mountChatPage, type MountedChatPage } from "./chat/mount.js";
import { CONTROL_PREFIX, controlRoutes } from "./control/routes.js";
import { FaultInjector, type FaultSpec } from "./faults.js";
import { HttpError, RequestContext } from "./http/context.js";
import { Router, type RawHandler } from "./http/router.js";
import { attachmentActionRoutes } from "./routes/attachment-actions.js";
import { membershipRoutes } from "./routes/memberships.js";
import { messageRoutes } from "./routes/messages.js";
import { peopleRoutes } from "./routes/people.js";
import { roomRoutes } from "./routes/rooms.js";
import { seedDevWorld, stableUuid, type SeedOptions, type SeededWorld } from "./seed.js";
import { webhookRoutes } from "./routes/webhooks.js";
import type { EmulatorServices } from "./services.js";
import { DEFAULT_WEBEX_RULES, parseRules, type WebexRules } from "./state/card-rules.js";
import { EmulatorStore } from "./state/store.js";
import { WebhookDelivery } from "./webhooks/delivery.js";
import {
  catalog,
  DEFAULT_DEVICE_LIMIT,
  DeviceRegistry,
  deviceRoutes,
  metricsRoutes,
} from "./mercury/devices.js";
import { MercuryHub } from "./mercury/hub.js";
import { mountMercury } from "./mercury/mount.js";

/** Settings of an emulator. */
export interface EmulatorOptions {
  /** Port to listen on (0, the default, picks a free one). */
  port?: number;
  /** Interface to listen on (default 127.0.0.1). */
  host?: string;
  /** The clock, in ms since the epoch (default `Date.now`); tests inject one to age failures. */
  now?: () => number;
  /** Milliseconds before a webhook target that does not answer counts as failed (default 10 000). */
  deliveryTimeoutMs?: number;
  /** How many delivery attempts `GET /_emulator/deliveries` keeps, newest (default 10 000). */
  maxDeliveryLog?: number;
  /** Writes one line per request (`METHOD path -> status`) to stderr; for debugging. */
  logRequests?: boolean;
  /** Serve the chat page at `/chat` (default true). */
  chatPage?: boolean;
  /** Start with `sparkbot dev`'s accounts and rooms, with ids stable across restarts. */
  seed?: SeedOptions;
  /** Webex behaviours its documentation leaves open (see `WebexRules`; defaults documented there). */
  rules?: Partial<WebexRules>;
  /** Devices one user may register with WDM (default 100, Webex's cap as its SDK assumes it). */
  deviceLimit?: number;
  /** Milliseconds a websocket may stay open without authorizing (default 30 000). */
  websocketAuthTimeoutMs?: number;
}

/** A started emulator. */
export interface RunningEmulator {
  /** Base URL, e.g. `http://127.0.0.1:41234` (no trailing slash). */
  url: string;
  /** The REST API base: `url + "/v1"`. */
  apiUrl: string;
  /**
   * Emits `"message"` (every stored message, bots' replies included), `"delivery"` (every
   * webhook delivery attempt, a `DeliveryRecord`), `"membership"` (every new membership),
   * `"membership-deleted"` and `"membership-change"` (every change, a `MembershipChange`).
   */
  events: EventEmitter;
  /** The in-memory state, for tools living in the same process (the chat page). */
  store: EmulatorStore;
  /** What `options.seed` created. */
  seeded?: SeededWorld;
  /** Mounts a raw handler for every path starting with `pathPrefix` (`*` = any method). */
  addRoute(method: string, pathPrefix: string, handler: RawHandler): void;
  /** Resolves once every webhook delivery started so far has settled. */
  deliveriesIdle(): Promise<void>;
  /** Stops listening, drops open connections and aborts deliveries in flight. */
  close(): Promise<void>;
}

/** Starts an emulator on `host:port` (default 127.0.0.1, a free port). */
export async function startEmulator(options: EmulatorOptions = {}): Promise<RunningEmulator> {
  const now = options.now ?? Date.now;
  const events = new EventEmitter();
  events.setMaxListeners(0);
  const store = new EmulatorStore(now, options.seed ? stableUuid("organization") : undefined);
  const seeded = options.seed ? seedDevWorld(store, options.seed) : undefined;
  const checked = parseRules({ ...(options.rules ?? {}) });
  if (typeof checked === "string") throw new TypeError(`emulator rules: ${checked}`);
  const baseRules: WebexRules = { ...DEFAULT_WEBEX_RULES, ...checked };
  const devices = new DeviceRegistry(store, options.deviceLimit ?? DEFAULT_DEVICE_LIMIT);
  const mercury = new MercuryHub(store, devices, now, options.websocketAuthTimeoutMs);
  devices.onDelete = (id) => mercury.forgetDevice(id);
  const services: EmulatorServices = {
    devices,
    mercury,
    store,
    events,
    rules: { ...baseRules },
    baseRules,
    faults: new FaultInjector(),
    delivery: new WebhookDelivery(store, events, {
      now,
      timeoutMs: options.deliveryTimeoutMs ?? 10_000,
      maxLogEntries: options.maxDeliveryLog ?? 10_000,
    }),
  };
  const router = buildRouter(services);
  const addRoute = (method: string, pathPrefix: string, handler: RawHandler): void =>
    router.onPrefix(method, pathPrefix, handler);
  const chat = options.chatPage === false ? undefined : mountChatPage({ events, addRoute });
  const server = createServer((req, res) => {
    if (options.logRequests) logRequest(req, res);
    void handle(services, router, req, res);
  });
  server.keepAliveTimeout = 5_000;
  await listen(server, options.port ?? 0, options.host ?? "127.0.0.1");
  const { port, address } = server.address() as AddressInfo;
  const host = address.includes(":") ? `[${address}]` : address;
  const url = `http://${host}:${port}`;
  mountMercury(mercury, server, events, store, url);
  return {
    url,
    apiUrl: `${url}/v1`,
    events,
    store,
    ...(seeded !== undefined ? { seeded } : {}),
    addRoute,
    deliveriesIdle: () => services.delivery.idle(),
    close: () => closeServer(server, services, chat),
  };
}

function buildRouter(services: EmulatorServices): Router {
  const router = new Router();
  peopleRoutes(router, services);
  messageRoutes(router, services);
  roomRoutes(router, services);
  membershipRoutes(router, services);
  webhookRoutes(router, services);
  deviceRoutes(router, services.store, services.devices);
  metricsRoutes(router);
  attachmentActionRoutes(router, services);
  controlRoutes(router, services);
  return router;
}

async function handle(
  services: EmulatorServices,
  router: Router,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  const ctx = new RequestContext(req, res);
  const method = req.method ?? "GET";
  const { pathname } = ctx.url;
  let after: FaultSpec | undefined;
  try {
    const match = router.match(method, pathname);
    if (match.kind === "raw") return await match.handler(req, res);
    if (!pathname.startsWith(CONTROL_PREFIX)) {
      const fault = services.faults.take(method, pathname);
      if (fault?.after) {
        after = fault;
        ctx.hold = true;
      } else if (fault) {
        // A slow call that goes on to take effect: Webex has the whole request before it is
        // slow, so a client that gives up meanwhile does not undo it (read the body first).
        if (fault.delayMs !== undefined) await ctx.body().catch(() => undefined);
        if (await applyFault(ctx, fault)) return;
      }
    }
    if (method === "GET" && pathname.startsWith("/u2c/") && pathname.endsWith("/catalog")) {
      return catalog(ctx, services.store);
    }
    if (match.kind === "pattern") {
      ctx.params = match.params;
      return await match.handler(ctx);
    }
    if (match.kind === "method-not-allowed") return ctx.error(405, "Method not allowed.");
    ctx.error(404, "The requested resource could not be found.");
  } catch (error) {
    if (res.headersSent) return void res.end();
    if (error instanceof HttpError) return ctx.error(error.status, error.message, error.headers);
    process.stderr.write(`sparkbot-emulator: ${method} ${pathname} failed: ${String(error)}\n`);
    ctx.error(500, "Internal error in the emulator.");
  } finally {
    if (after !== undefined) await applyFaultAfter(ctx, after);
  }
}

/** Applies a fault; returns true when the request has been answered (or dropped). */
async function applyFault(ctx: RequestContext, fault: FaultSpec): Promise<boolean> {
  if (fault.delayMs !== undefined) await sleep(fault.delayMs);
  if (fault.drop) {
    ctx.req.socket.destroy();
    return true;
  }
  if (fault.status === undefined) return false;
  sendFaultStatus(ctx, fault.status, fault.retryAfter);
  return true;
}

/**
 * Applies a fault to a call that has taken effect (its answer held back): after `delayMs`,
 * drops the connection, or answers `status` instead of the real answer, or sends the real
 * answer late.
 */
async function applyFaultAfter(ctx: RequestContext, fault: FaultSpec): Promise<void> {
  ctx.hold = false;
  if (fault.delayMs !== undefined) await sleep(fault.delayMs);
  if (fault.drop) {
    ctx.req.socket.destroy();
    return;
  }
  if (fault.status !== undefined) {
    sendFaultStatus(ctx, fault.status, fault.retryAfter);
    return;
  }
  if (ctx.held !== undefined && !ctx.res.destroyed) ctx.send(ctx.held);
}

function sendFaultStatus(ctx: RequestContext, status: number, retryAfter?: number): void {
  const headers: Record<string, string> = {};
  if (retryAfter !== undefined) headers["retry-after"] = String(retryAfter);
  ctx.error(status, faultMessage(status), headers);
}

function faultMessage(status: number): string {
  if (status === 429) return "Too Many Requests";
  if (status >= 500) return "Internal Server Error (injected by the emulator)";
  return `Injected error ${status}`;
}

function logRequest(req: IncomingMessage, res: ServerResponse): void {
  const started = performance.now();
  res.on("close", () => {
    const ms = (performance.now() - started).toFixed(1);
    process.stderr.write(`emulator: ${req.method} ${req.url} -> ${res.statusCode} (${ms} ms)\n`);
  });
}

function listen(server: Server, port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => {
      server.off("error", reject);
      resolve();
    });
  });
}

async function closeServer(
  server: Server,
  services: EmulatorServices,
  chat: MountedChatPage | undefined,
): Promise<void> {
  chat?.close();
  services.mercury.close();
  services.delivery.abortAll();
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  server.closeAllConnections();
  await closed;
  await services.delivery.idle();
}
