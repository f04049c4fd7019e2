import { join } from "node:path";
import type { EmulatorControl } from "@sparkbot/emulator";
import { startProcess } from "../lib/proc.js";
import { ratioOf } from "../lib/report.js";
import { createBot } from "../lib/scene.js";
import type { ClientCostEntry, ClientCostOptions, ClientCostResult } from "../procs/client-cost.js";
import type { BenchContext } from "./context.js";

const SECTION = "6 Webex client cost";

const OPERATIONS = [
  { key: "me", operation: "people.me", label: "GET /v1/people/me" },
  { key: "create", operation: "messages.create", label: "POST /v1/messages" },
] as const;

/** Declares the rows of measurement 6. */
export function declareClientCost(ctx: BenchContext): void {
  for (const { key, label } of OPERATIONS) {
    ctx.rows.declare({
      id: `client.${key}.wall`,
      section: SECTION,
      label: `${label}: SDK client wall time per call (p50) vs keep-alive fetch`,
      unit: "ms",
    });
    ctx.rows.declare({
      id: `client.${key}.cpu`,
      section: SECTION,
      label: `${label}: SDK client CPU per call vs keep-alive fetch`,
      unit: "ms",
    });
  }
  ctx.rows.declare({
    id: "client.core-http.cpu",
    section: SECTION,
    label: "Core's plain HTTP client (WEBEX_CLIENT=http): CPU for get + create vs the SDK client",
    unit: "ms",
  });
  ctx.rows.declare({
    id: "client.sdk.rss",
    section: SECTION,
    label: "Memory added by loading the SDK client and its first call vs fetch's",
    unit: "MB",
  });
  ctx.rows.declare({
    id: "client.share",
    section: SECTION,
    label: "Estimate: isolated SDK CPU for get + create ÷ worker CPU per command",
    unit: "%",
  });
  ctx.rows.declare({
    id: "client.sdk.stack",
    section: SECTION,
    label: "Worker CPU with the Webex SDK (@webex/*, request) on the stack, under load (profile)",
    unit: "%",
  });
}

/** The figures of one client and operation. */
function entry(entries: ClientCostEntry[], client: string, operation: string): ClientCostEntry {
  const found = entries.find((e) => e.client === client && e.operation === operation);
  if (!found) throw new Error(`client-cost printed no ${client} ${operation}`);
  return found;
}

async function scene(control: EmulatorControl): Promise<{ token: string; roomId: string }> {
  const bot = await createBot(control, "Cost");
  const user = await control.createPerson({
    displayName: "Cost User",
    email: "cost-user@bench.local",
  });
  const room = await control.createRoom({
    title: "cost",
    type: "direct",
    members: [user.id, bot.id],
  });
  return { token: bot.token, roomId: room.id };
}

/**
 * Measurement 6: per-call wall and CPU time of @sparkbot/core's SDK-based client against plain
 * keep-alive `fetch` and `http.request`, on the same emulator endpoints, in one child process.
 */
export async function runClientCost(ctx: BenchContext): Promise<void> {
  const { token, roomId } = await scene(ctx.control);
  const options: ClientCostOptions = {
    apiUrl: ctx.emulator.apiUrl,
    token,
    roomId,
    calls: ctx.settings.clientCalls,
    warmup: ctx.settings.clientWarmup,
  };
  const child = startProcess({
    name: "client-cost",
    script: join(ctx.distDir, "procs/client-cost.js"),
    args: [JSON.stringify(options)],
  });
  let result: ClientCostResult;
  try {
    const line = await child.waitForLine((l) => l.startsWith("RESULT "), 180_000);
    result = JSON.parse(line.slice("RESULT ".length)) as ClientCostResult;
  } finally {
    await child.stop();
  }
  const { entries, memory } = result;
  ctx.details["client"] = result;
  ctx.rows.set("client.sdk.rss", memory.afterSdkMb - memory.afterCoreHttpMb, {
    baseline: { name: "fetch", value: memory.afterFetchMb - memory.startMb },
    note: `process RSS ${memory.startMb.toFixed(0)} MB at start, ${memory.afterSdkMb.toFixed(0)} MB with the SDK loaded`,
  });
  let sdkCpu = 0;
  let httpCpu = 0;
  let coreHttpCpu = 0;
  for (const { key, operation } of OPERATIONS) {
    const sdk = entry(entries, "sdk", operation);
    const viaFetch = entry(entries, "fetch", operation);
    const viaHttp = entry(entries, "http", operation);
    const viaCoreHttp = entry(entries, "core-http", operation);
    sdkCpu += sdk.cpuMsPerCall;
    httpCpu += viaHttp.cpuMsPerCall;
    coreHttpCpu += viaCoreHttp.cpuMsPerCall;
    ctx.rows.set(`client.${key}.wall`, sdk.wallMs.p50, {
      baseline: { name: "fetch", value: viaFetch.wallMs.p50 },
      ratio: ratioOf(sdk.wallMs.p50, viaFetch.wallMs.p50),
      note:
        `http.request: ${viaHttp.wallMs.p50.toFixed(2)} ms; ` +
        `core's HTTP client: ${viaCoreHttp.wallMs.p50.toFixed(2)} ms`,
    });
    ctx.rows.set(`client.${key}.cpu`, sdk.cpuMsPerCall, {
      baseline: { name: "fetch", value: viaFetch.cpuMsPerCall },
      ratio: ratioOf(sdk.cpuMsPerCall, viaFetch.cpuMsPerCall),
      note:
        `http.request: ${viaHttp.cpuMsPerCall.toFixed(3)} ms; ` +
        `core's HTTP client: ${viaCoreHttp.cpuMsPerCall.toFixed(3)} ms`,
    });
  }
  ctx.rows.set("client.core-http.cpu", coreHttpCpu, {
    baseline: { name: "SDK", value: sdkCpu },
    ratio: ratioOf(coreHttpCpu, sdkCpu),
    note: `plain http.request: ${httpCpu.toFixed(3)} ms; core's HTTP client added ${(memory.afterCoreHttpMb - memory.afterCoreMb).toFixed(1)} MB RSS`,
  });
  const perCommand = ctx.shared.get("worker.cpuMsPerCommand");
  if (perCommand === undefined || perCommand <= 0) {
    ctx.rows.set("client.share", null, { note: "needs the end-to-end run's worker CPU" });
    return;
  }
  ctx.rows.set("client.share", (sdkCpu / perCommand) * 100, {
    note:
      `worker CPU ${perCommand.toFixed(2)} ms/command; SDK ${sdkCpu.toFixed(2)} ms, ` +
      `plain http.request ${httpCpu.toFixed(2)} ms for the same two calls`,
  });
}
