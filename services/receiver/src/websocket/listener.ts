import { setTimeout as sleep } from "node:timers/promises";
import type { Redis } from "ioredis";
import {
  objectUuidOf,
  type Logger,
  type WebexClient,
  type WebexProxy,
  type WebhookEvent,
} from "@sparkbot/core";
import type { Enqueuer } from "../event-queue.js";
import type { ReceiverMetrics } from "../metrics.js";
import { afterClose, runSession, type SessionEnd } from "./connection.js";
import { DeviceManager, type Device } from "./device.js";
import { discoverServices, type ServiceCatalog } from "./discovery.js";
import { createLease } from "./lease.js";
import { translateActivity } from "./activity-events.js";
import { createWebexHttp } from "./webex-http.js";
import { wantedWebhooksFromRedis } from "../registration/registrar.js";

/*
 * The websocket listener (INGRESS=websocket): the receiver's second ingress. Under a Redis
 * lease (one active listener per bot; the others stand by and take over when it lapses) it
 * finds WDM through the catalog, gets its device (device.ts), connects and authorizes
 * (connection.ts), and turns each activity into the webhook event Webex would have POSTed
 * (activity-events.ts), enqueued through the receiver's ingest — same job ids, journal when
 * Redis is down. A session that ends is retried with exponential backoff (1 s doubling to
 * 32 s) on the close codes that call for it. Each time a socket becomes ready (a takeover, a
 * reconnect) `onConnected` runs: the backfill then recovers what nobody was connected to hear.
 */

export interface ListenerSettings {
  /** `U2C_SERVICE_URL`'s catalog base. */
  u2cUrl: string;
  /** `WEBSOCKET_LEASE_MS`. */
  leaseMs: number;
  /** `WEBSOCKET_DEVICE_NAME`. */
  deviceName: string;
}

export interface ListenerOptions extends ListenerSettings {
  token: string;
  webex: WebexClient;
  redis: Redis;
  prefix: string;
  enqueuer: Enqueuer;
  metrics: Pick<
    ReceiverMetrics,
    | "websocketConnected"
    | "websocketActive"
    | "websocketReconnects"
    | "websocketEvents"
    | "websocketLag"
  >;
  /**
   * `HTTPS_PROXY`/`HTTP_PROXY`/`NO_PROXY` (config's `webexProxy`): the catalog, WDM and the
   * websocket go through it, as the Webex client does. Undefined: direct.
   */
  proxy?: WebexProxy | undefined;
  logger: Logger;
  /** Runs each time a socket becomes ready (the receiver triggers a backfill pass). */
  onConnected?: (reason: string) => void;
  /** JSON ping period after each pong (default 15 000 ms, the JS SDK's). */
  pingIntervalMs?: number;
  /** No pong within this closes the socket as "pong not received" (default 14 000 ms). */
  pongTimeoutMs?: number;
  /** First reconnect delay (default 1000 ms), doubled per failure up to `maxBackoffMs` (32 s). */
  backoffMs?: number;
  maxBackoffMs?: number;
  /** How often a standby tries to take the lease (default a quarter of `leaseMs`). */
  leasePollMs?: number;
}

/** One ended session and the delay before the next try. */
export interface Reconnect {
  code: number;
  reason: string;
  action: string;
  delayMs: number;
}

export interface ListenerStatus {
  role: "standby" | "active";
  connected: boolean;
  device?: string;
  /** The last 50 reconnects, oldest first. */
  reconnects: Reconnect[];
}

export interface Listener {
  status(): ListenerStatus;
  /** Stops: closes the socket, releases the lease (the device is kept for the next listener). */
  stop(): Promise<void>;
}

function membershipKey(prefix: string, membershipId: string): string {
  return `${prefix}:receiver:websocket-membership:${objectUuidOf(membershipId) ?? membershipId}`;
}

export function startListener(options: ListenerOptions): Listener {
  const { redis, prefix, metrics, logger, leaseMs } = options;
  const backoffMs = options.backoffMs ?? 1000;
  const maxBackoffMs = options.maxBackoffMs ?? 32_000;
  const pollMs = options.leasePollMs ?? Math.max(250, Math.floor(leaseMs / 4));
  const lease = createLease(redis, prefix, leaseMs);
  const http = createWebexHttp(options.proxy);
  const devices = new DeviceManager({
    http,
    redis,
    prefix,
    token: options.token,
    name: options.deviceName,
    logger,
  });
  const stopping = new AbortController();
  const status: ListenerStatus = { role: "standby", connected: false, reconnects: [] };
  let catalog: ServiceCatalog | undefined;
  let botUuid: string | undefined;
  let botId: string | undefined;

  const handleActivity = async (activity: Record<string, unknown>): Promise<void> => {
    if (catalog === undefined || botUuid === undefined) return;
    const cat = catalog;
    const deps = {
      webex: options.webex,
      botUuid,
      clusterOf: (url: string | undefined) => cat.clusterOf(url),
      membershipCreated: async (id: string) =>
        (await redis.get(membershipKey(prefix, id)).catch(() => null)) ?? undefined,
    };
    let lastError: unknown;
    for (let attempt = 0; attempt < 4; attempt += 1) {
      if (attempt > 0) await sleep(500 * 2 ** (attempt - 1));
      let translation;
      try {
        translation = await translateActivity(activity, deps);
      } catch (error) {
        lastError = error;
        continue;
      }
      const kind = translation.eventKind;
      if (translation.kind === "skip") {
        metrics.websocketEvents.inc({ kind, outcome: "skipped" });
        logger.debug("websocket activity skipped", { kind, reason: translation.reason });
        return;
      }
      const { event } = translation;
      if (event.resource === "memberships" && !(await membershipWanted(event))) {
        metrics.websocketEvents.inc({ kind, outcome: "skipped" });
        return;
      }
      const outcome = await options.enqueuer.enqueue(event).catch((error: unknown) => {
        metrics.websocketEvents.inc({ kind, outcome: "failed" });
        throw error; // not acked: Webex sends it again on the device's next connection
      });
      metrics.websocketEvents.inc({ kind, outcome });
      const published = Date.parse(String(activity["published"]));
      if (Number.isFinite(published))
        metrics.websocketLag.observe(Math.max(0, Date.now() - published) / 1000);
      if (kind === "memberships/created" && typeof event.data.created === "string") {
        await redis
          .set(membershipKey(prefix, event.data.id), event.data.created, "EX", 30 * 86_400)
          .catch(() => undefined);
      }
      logger.info("websocket event", { kind, outcome, id: event.data.id });
      return;
    }
    metrics.websocketEvents.inc({ kind: "unknown", outcome: "failed" });
    logger.error("a websocket activity could not be fetched; left unacked", {
      verb: activity["verb"],
      error: lastError instanceof Error ? lastError.message : String(lastError),
    });
    throw lastError;
  };

  /**
   * Membership events the bot handles, as the webhook path registers them from what the workers
   * published (only the bot's own arrival or departure, when that is all it handles). Enqueued
   * when Redis cannot say (the journal takes it; the worker ignores what no handler wants).
   */
  const membershipWanted = async (event: WebhookEvent): Promise<boolean> => {
    if (botId === undefined) return true;
    try {
      const { wanted } = await wantedWebhooksFromRedis(redis, prefix, botId);
      return wanted.some(
        (w) =>
          w.resource === event.resource &&
          w.event === event.event &&
          (w.filter === undefined || w.filter === `personId=${String(event.data.personId)}`),
      );
    } catch {
      return true;
    }
  };

  /** Connects and reconnects while the lease is held; resolves how it ended. */
  const active = async (signal: AbortSignal): Promise<"lost" | "stop"> => {
    let attempt = 0;
    let device: Device | undefined;
    while (!signal.aborted) {
      let end: SessionEnd;
      try {
        catalog ??= await discoverServices(options.u2cUrl, options.token, http);
        if (botUuid === undefined) {
          botId = (await options.webex.people.me()).id;
          botUuid = objectUuidOf(botId);
        }
        device ??= await devices.acquire(catalog.wdmUrl);
        status.device = device.url;
        end = await runSession({
          webSocketUrl: device.webSocketUrl,
          token: options.token,
          signal,
          agent: http.socketAgent(device.webSocketUrl),
          pingIntervalMs: options.pingIntervalMs ?? 15_000,
          pongTimeoutMs: options.pongTimeoutMs ?? 14_000,
          onReady: () => {
            const reason = attempt === 0 ? "websocket listener connected" : "websocket reconnected";
            attempt = 0;
            status.connected = true;
            metrics.websocketConnected.set(1);
            logger.info("websocket connected", { device: device?.url });
            options.onConnected?.(reason);
          },
          onActivity: handleActivity,
        });
      } catch (error) {
        end = {
          code: 0,
          reason: error instanceof Error ? error.message : String(error),
          wasReady: false,
        };
      }
      status.connected = false;
      metrics.websocketConnected.set(0);
      if (signal.aborted) return "lost";
      const action = end.code === 0 ? "reconnect" : afterClose(end);
      if (action === "stop") {
        logger.error("the websocket was closed for good; standing by", { ...end });
        return "stop";
      }
      if (action === "new-device" && device !== undefined) await devices.forget(device.url);
      if (action === "new-device" || action === "refresh") device = undefined;
      const delayMs = Math.min(maxBackoffMs, backoffMs * 2 ** attempt);
      attempt += 1;
      status.reconnects.push({ code: end.code, reason: end.reason, action, delayMs });
      if (status.reconnects.length > 50) status.reconnects.shift();
      metrics.websocketReconnects.inc({ reason: end.code === 0 ? "error" : String(end.code) });
      logger.warn("websocket session ended; reconnecting", { ...end, action, delayMs });
      await sleep(delayMs, undefined, { signal }).catch(() => undefined);
    }
    return "lost";
  };

  const loop = async () => {
    while (!stopping.signal.aborted) {
      const held = await lease.tryAcquire().catch(() => false);
      if (!held) {
        await sleep(pollMs, undefined, { signal: stopping.signal }).catch(() => undefined);
        continue;
      }
      status.role = "active";
      metrics.websocketActive.set(1);
      logger.info("this receiver is the active websocket listener", { holder: lease.holder });
      const lost = new AbortController();
      const onStop = () => lost.abort();
      stopping.signal.addEventListener("abort", onStop, { once: true });
      // A renewal that fails because Redis is away keeps the socket: nobody can take the lease
      // meanwhile, and events go to the journal. Only a lease found taken or expired (Redis
      // answered) gives the socket up. (A listener cut off from a Redis that others still reach
      // is replaced on its shared device: Webex closes the older connection with 4000.)
      const renew = setInterval(
        () => {
          lease.renew().then(
            (kept) => {
              if (!kept) {
                logger.warn("the websocket lease was lost; standing by", {});
                lost.abort();
              }
            },
            () => undefined,
          );
        },
        Math.max(200, Math.floor(leaseMs / 3)),
      );
      const ended = await active(lost.signal);
      clearInterval(renew);
      stopping.signal.removeEventListener("abort", onStop);
      status.role = "standby";
      metrics.websocketActive.set(0);
      await lease.release().catch(() => undefined);
      if (ended === "stop") {
        await sleep(maxBackoffMs, undefined, { signal: stopping.signal }).catch(() => undefined);
      }
    }
  };
  const running = loop().catch((error: unknown) =>
    logger.error("websocket listener failed", { error: String(error) }),
  );

  return {
    status: () => ({ ...status, reconnects: [...status.reconnects] }),
    async stop() {
      stopping.abort();
      await running;
      await http.close();
    },
  };
}
