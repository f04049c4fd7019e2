import { randomUUID } from "node:crypto";
import type { Person } from "@sparkbot/core";
import { authenticate } from "../http/auth.js";
import { HttpError, type RequestContext } from "../http/context.js";
import type { Router } from "../http/router.js";
import type { EmulatorStore } from "../state/store.js";

/*
 * WDM, Webex's device service, as much as a websocket client needs (protocol notes §3): create,
 * list, refresh and delete the caller's devices. Each device gets a `webSocketUrl` on this
 * emulator. Webex caps a user's devices (about 100); the status of its refusal is not
 * documented: the emulator answers 403 with Webex's message, "User has excessive device
 * registrations".
 */

/** The WDM base path (the catalog's `serviceLinks.wdm` is `<emulator url>` + this). */
export const WDM_PATH = "/wdm/api/v1";
/** The websocket path of a device: `<MERCURY_PATH>/<device id>/messages`. */
export const MERCURY_PATH = "/mercury/v1/apps/wx2/registrations";
/** Webex's cap on one user's devices, as the JS SDK assumes it. */
export const DEFAULT_DEVICE_LIMIT = 100;
export const EXCESSIVE_DEVICES = "User has excessive device registrations";

/** A registered device, as WDM describes it. */
export interface WdmDevice {
  url: string;
  webSocketUrl: string;
  userId: string;
  deviceType: string;
  name: string;
  model?: string;
  localizedModel?: string;
  systemName?: string;
  systemVersion?: string;
  creationTime: string;
  modificationTime: string;
  services: Record<string, string>;
  features: Record<string, unknown>;
}

interface DeviceRecord {
  id: string;
  ownerId: string;
  device: WdmDevice;
}

/** Every registered device, by id. */
export class DeviceRegistry {
  readonly devices = new Map<string, DeviceRecord>();
  /** Devices one user may have (the control API may change it; `reset` restores it). */
  limit: number;

  constructor(
    private readonly store: EmulatorStore,
    private readonly initialLimit: number = DEFAULT_DEVICE_LIMIT,
  ) {
    this.limit = initialLimit;
  }

  ownedBy(personId: string): DeviceRecord[] {
    return [...this.devices.values()].filter((d) => d.ownerId === personId);
  }

  get(id: string): DeviceRecord | undefined {
    return this.devices.get(id);
  }

  /** Called with the id of each device deleted (its websocket closes). */
  onDelete: (id: string) => void = () => undefined;

  delete(id: string): void {
    if (this.devices.delete(id)) this.onDelete(id);
  }

  /** Deletes every device and restores the limit. */
  clear(): void {
    for (const id of [...this.devices.keys()]) this.delete(id);
    this.limit = this.initialLimit;
  }

  register(owner: Person, body: Record<string, unknown>, baseUrl: string): WdmDevice {
    if (this.ownedBy(owner.id).length >= this.limit) throw new HttpError(403, EXCESSIVE_DEVICES);
    const id = randomUUID();
    const now = this.store.isoNow();
    const str = (key: string): string | undefined =>
      typeof body[key] === "string" ? (body[key] as string) : undefined;
    const wsBase = baseUrl.replace(/^http/, "ws");
    const device: WdmDevice = {
      url: `${baseUrl}${WDM_PATH}/devices/${id}`,
      webSocketUrl: `${wsBase}${MERCURY_PATH}/${id}/messages`,
      userId: uuidOf(owner.id),
      deviceType: str("deviceType") ?? "UNKNOWN",
      name: str("name") ?? str("deviceName") ?? "device",
      ...optional("model", str("model")),
      ...optional("localizedModel", str("localizedModel")),
      ...optional("systemName", str("systemName")),
      ...optional("systemVersion", str("systemVersion")),
      creationTime: now,
      modificationTime: now,
      services: {
        conversationServiceUrl: `${baseUrl}/conversation/api/v1`,
        wdmServiceUrl: `${baseUrl}${WDM_PATH}`,
      },
      features: {},
    };
    this.devices.set(id, { id, ownerId: owner.id, device });
    return device;
  }
}

/** The uuid inside a REST id (`ciscospark://us/PEOPLE/<uuid>`). */
export function uuidOf(restId: string): string {
  const decoded = Buffer.from(restId, "base64url").toString("utf8");
  return decoded.slice(decoded.lastIndexOf("/") + 1);
}

function optional(key: string, value: string | undefined): Record<string, string> {
  return value === undefined ? {} : { [key]: value };
}

/** `GET /u2c/api/v1/catalog`: where the emulator's services are (hostmap format). */
export function catalog(ctx: RequestContext, store: EmulatorStore): void {
  if (ctx.req.headers.authorization !== undefined) authenticate(ctx, store);
  const base = ctx.baseUrl;
  // Hosts without the port, as Webex's: the SDK swaps a link's hostname for its catalog host.
  const host = new URL(base).hostname;
  ctx.json(200, {
    format: "hostmap",
    serviceLinks: {
      hydra: `${base}/v1`,
      wdm: `${base}${WDM_PATH}`,
      conversation: `${base}/conversation/api/v1`,
      // The webex SDK posts client metrics here (and fails loudly when the catalog lacks it).
      metrics: `${base}/metrics/api/v1`,
    },
    hostCatalog: {
      [host]: [{ host, ttl: -1, priority: 5, id: "urn:TEAM:us-east-2_a:conversation" }],
    },
  });
}

/** The metrics service the SDK reports to: every POST is taken and forgotten. */
export function metricsRoutes(router: Router): void {
  router.on("POST", "/metrics/api/v1/:kind", (ctx) => ctx.empty(204));
  router.on("POST", "/metrics/api/v1/:kind/:more", (ctx) => ctx.empty(204));
}

/** The WDM routes. */
export function deviceRoutes(router: Router, store: EmulatorStore, registry: DeviceRegistry): void {
  const owned = (ctx: RequestContext, owner: Person): DeviceRecord => {
    const record = registry.get(ctx.param("id"));
    if (!record || record.ownerId !== owner.id) throw new HttpError(404, "Device not found.");
    return record;
  };

  router.on("POST", `${WDM_PATH}/devices`, async (ctx) => {
    const owner = authenticate(ctx, store);
    ctx.json(200, registry.register(owner, await ctx.body(), ctx.baseUrl));
  });

  router.on("GET", `${WDM_PATH}/devices`, (ctx) => {
    const owner = authenticate(ctx, store);
    ctx.json(200, { devices: registry.ownedBy(owner.id).map((d) => d.device) });
  });

  router.on("DELETE", `${WDM_PATH}/devices`, (ctx) => {
    const owner = authenticate(ctx, store);
    for (const record of registry.ownedBy(owner.id)) registry.delete(record.id);
    ctx.empty(204);
  });

  router.on("GET", `${WDM_PATH}/devices/:id`, (ctx) => {
    ctx.json(200, owned(ctx, authenticate(ctx, store)).device);
  });

  router.on("PUT", `${WDM_PATH}/devices/:id`, (ctx) => {
    const record = owned(ctx, authenticate(ctx, store));
    record.device.modificationTime = store.isoNow();
    ctx.json(200, record.device);
  });

  router.on("DELETE", `${WDM_PATH}/devices/:id`, (ctx) => {
    const record = owned(ctx, authenticate(ctx, store));
    registry.delete(record.id);
    ctx.empty(204);
  });
}
