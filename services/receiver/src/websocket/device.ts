import type { Redis } from "ioredis";
import type { Logger } from "@sparkbot/core";
import { WebexServiceError, errorText, type WebexHttp } from "./webex-http.js";

/*
 * The listener's WDM device (protocol notes §3). Devices count toward a cap (about 100 per
 * user), so the listener never leaks them: the device in use is kept in Redis and reused by the
 * next listener (a restart, a standby taking over — which also gets what Mercury buffered for
 * it); without one, a device of the configured name is reused; other devices of that name are
 * deleted; a device WDM no longer knows (404) is replaced. At the cap, the bot's devices of that
 * name are deleted before a retry.
 */

/** What the listener uses of a device. */
export interface Device {
  url: string;
  webSocketUrl: string;
  name?: string;
  modificationTime?: string;
}

export function deviceKey(prefix: string): string {
  return `${prefix}:receiver:websocket-device`;
}

/** The registration body (webex_bot's and the JS SDK's keys). */
function registration(name: string): Record<string, string> {
  return {
    deviceName: name,
    name,
    deviceType: "DESKTOP",
    localizedModel: "nodejs",
    model: "nodejs",
    systemName: name,
    systemVersion: "1.0",
  };
}

function asDevice(json: Record<string, unknown>): Device | undefined {
  const { url, webSocketUrl } = json;
  if (typeof url !== "string" || typeof webSocketUrl !== "string") return undefined;
  return {
    url,
    webSocketUrl,
    ...(typeof json["name"] === "string" ? { name: json["name"] } : {}),
    ...(typeof json["modificationTime"] === "string"
      ? { modificationTime: json["modificationTime"] }
      : {}),
  };
}

export interface DeviceManagerOptions {
  redis: Redis;
  prefix: string;
  token: string;
  name: string;
  logger: Logger;
  /** The REST calls to WDM (through the proxy when one is set). */
  http: WebexHttp;
}

export class DeviceManager {
  constructor(private readonly options: DeviceManagerOptions) {}

  /** A device to connect with: the stored one, one of our name, or a new one. */
  async acquire(wdmUrl: string): Promise<Device> {
    const { redis, prefix } = this.options;
    const stored = await redis.get(deviceKey(prefix));
    if (stored !== null) {
      const device = await this.refresh(stored);
      if (device) return this.keep(wdmUrl, device);
    }
    const mine = await this.listOurs(wdmUrl);
    for (const candidate of mine) {
      const device = await this.refresh(candidate.url);
      if (device) return this.keep(wdmUrl, device);
    }
    return this.keep(wdmUrl, await this.register(wdmUrl));
  }

  /** Refreshes the device at `url` (PUT); undefined when WDM no longer knows it. */
  async refresh(url: string): Promise<Device | undefined> {
    const answer = await this.options.http.call(
      "PUT",
      url,
      this.options.token,
      registration(this.options.name),
    );
    if (answer.status === 404) return undefined;
    if (answer.status !== 200) {
      throw new WebexServiceError(
        `WDM refresh answered ${answer.status}: ${errorText(answer)}`,
        answer.status,
      );
    }
    return asDevice(answer.json);
  }

  /** Forgets the stored device (WDM said it is gone): the next acquire registers anew. */
  async forget(url: string): Promise<void> {
    const { redis, prefix } = this.options;
    if ((await redis.get(deviceKey(prefix))) === url) await redis.del(deviceKey(prefix));
  }

  /** Deletes the device at WDM and forgets it (for a listener that is retired for good). */
  async remove(url: string): Promise<void> {
    await this.options.http.call("DELETE", url, this.options.token).catch(() => undefined);
    await this.forget(url);
  }

  private async listOurs(wdmUrl: string): Promise<Device[]> {
    const answer = await this.options.http.call("GET", `${wdmUrl}/devices`, this.options.token);
    if (answer.status !== 200) {
      throw new WebexServiceError(
        `WDM list answered ${answer.status}: ${errorText(answer)}`,
        answer.status,
      );
    }
    const list = Array.isArray(answer.json["devices"]) ? answer.json["devices"] : [];
    return list
      .flatMap((d) =>
        typeof d === "object" && d !== null ? (asDevice(d as Record<string, unknown>) ?? []) : [],
      )
      .filter((d) => d.name === this.options.name)
      .sort((a, b) => (b.modificationTime ?? "").localeCompare(a.modificationTime ?? ""));
  }

  private async register(wdmUrl: string): Promise<Device> {
    const { token, name, logger } = this.options;
    for (let attempt = 0; ; attempt += 1) {
      const answer = await this.options.http.call(
        "POST",
        `${wdmUrl}/devices`,
        token,
        registration(name),
      );
      if (answer.status === 200 || answer.status === 201) {
        const device = asDevice(answer.json);
        if (device) {
          logger.info("registered a websocket device", { device: device.url });
          return device;
        }
      }
      const text = errorText(answer);
      if (attempt === 0 && /excessive device registrations/i.test(text)) {
        const ours = await this.listOurs(wdmUrl);
        logger.warn("WDM refused a device (too many); deleting the bot's devices of our name", {
          name,
          deleting: ours.length,
        });
        for (const device of ours)
          await this.options.http.call("DELETE", device.url, token).catch(() => undefined);
        continue;
      }
      throw new WebexServiceError(
        `WDM registration answered ${answer.status}: ${text}`,
        answer.status,
      );
    }
  }

  /** Stores `device` as the one in use and deletes other devices of our name. */
  private async keep(wdmUrl: string, device: Device): Promise<Device> {
    const { redis, prefix, token } = this.options;
    await redis.set(deviceKey(prefix), device.url);
    for (const other of await this.listOurs(wdmUrl)) {
      if (other.url !== device.url)
        await this.options.http.call("DELETE", other.url, token).catch(() => undefined);
    }
    return device;
  }
}
