import { HttpError } from "../http/context.js";
import type { Router } from "../http/router.js";
import type { EmulatorServices } from "../services.js";
import { CONTROL_PREFIX } from "./prefix.js";

/**
 * `/_emulator/websocket`: the state of WDM devices and Mercury connections, and the websocket
 * faults — drop connections with a close code, refuse the next authorizations, stop answering
 * pings.
 */
export function websocketControlRoutes(router: Router, services: EmulatorServices): void {
  const { mercury, devices } = services;
  const path = `${CONTROL_PREFIX}/websocket`;

  router.on("GET", path, (ctx) => ctx.json(200, mercury.state()));

  router.on("POST", `${path}/drop`, async (ctx) => {
    const { code, reason, deviceId } = await ctx.body();
    if (code !== undefined && (typeof code !== "number" || !Number.isInteger(code))) {
      throw new HttpError(400, "code must be an integer close code.");
    }
    if (
      typeof code === "number" &&
      code !== 1006 &&
      !(code === 1000 || (code >= 3000 && code <= 4999) || (code >= 1001 && code <= 1014))
    ) {
      throw new HttpError(400, "code must be 1000–1014 or 3000–4999.");
    }
    if (reason !== undefined && typeof reason !== "string") throw new HttpError(400, "reason?");
    if (deviceId !== undefined && typeof deviceId !== "string")
      throw new HttpError(400, "deviceId?");
    const dropped = mercury.drop(
      typeof code === "number" ? code : 1006,
      typeof reason === "string" ? reason : "",
      typeof deviceId === "string" ? deviceId : undefined,
    );
    ctx.json(200, { dropped });
  });

  router.on("POST", `${path}/refuse-auth`, async (ctx) => {
    const { count } = await ctx.body();
    if (typeof count !== "number" || !Number.isInteger(count) || count < 0) {
      throw new HttpError(400, "count must be a non-negative integer.");
    }
    mercury.refuseAuth = count;
    ctx.empty(204);
  });

  router.on("POST", `${path}/pings`, async (ctx) => {
    const { answer } = await ctx.body();
    if (typeof answer !== "boolean") throw new HttpError(400, "answer must be a boolean.");
    mercury.answerPings = answer;
    ctx.empty(204);
  });

  router.on("POST", `${path}/device-limit`, async (ctx) => {
    const { limit } = await ctx.body();
    if (typeof limit !== "number" || !Number.isInteger(limit) || limit < 1) {
      throw new HttpError(400, "limit must be a positive integer.");
    }
    devices.limit = limit;
    ctx.empty(204);
  });
}
