// Webex client cost, run as its own process against the emulator: the SDK-based WebexClient of
// @sparkbot/core against plain keep-alive `fetch` and `http.request` on the same endpoints.
// Prints `RESULT {json}` with per-call wall time and CPU time of each client and operation.
import { Agent, request } from "node:http";
import { performance } from "node:perf_hooks";
import type { WebexClient, WebexClientOptions } from "@sparkbot/core";
import { summarize, type LatencySummary } from "../lib/stats.js";

/** What the parent passes as the first argument (JSON). */
export interface ClientCostOptions {
  apiUrl: string;
  token: string;
  roomId: string;
  calls: number;
  warmup: number;
}

/** One client on one operation. */
export interface ClientCostEntry {
  client: "sdk" | "core-http" | "fetch" | "http";
  operation: "people.me" | "messages.create";
  calls: number;
  wallMs: LatencySummary;
  /** CPU time of this process per call (user + system), in ms. */
  cpuMsPerCall: number;
}

/** Resident memory (MB) as each client is loaded and makes its first call. */
export interface ClientMemory {
  startMb: number;
  /** After the first `fetch` call (undici loads lazily). */
  afterFetchMb: number;
  /** After importing @sparkbot/core (zod, pino, ... but not yet the SDK). */
  afterCoreMb: number;
  /** After `createHttpWebexClient` (core's plain HTTP client, `WEBEX_CLIENT=http`) and a call. */
  afterCoreHttpMb: number;
  /** After `createWebexClient` and its first call (the SDK plugins loaded). */
  afterSdkMb: number;
}

/** What the process prints after `RESULT `. */
export interface ClientCostResult {
  entries: ClientCostEntry[];
  memory: ClientMemory;
}

type Operation = ClientCostEntry["operation"];
type CreateClient = (options: WebexClientOptions) => WebexClient;
type CallFn = (operation: Operation, n: number) => Promise<unknown>;

function coreClient(options: ClientCostOptions, create: CreateClient, label: string): CallFn {
  const webex = create({ accessToken: options.token, apiUrl: options.apiUrl });
  return (operation, n) =>
    operation === "people.me"
      ? webex.people.me()
      : webex.messages.create({ roomId: options.roomId, markdown: `**${label} ${n}**` });
}

function sdkClient(options: ClientCostOptions, createWebexClient: CreateClient): CallFn {
  const webex = createWebexClient({ accessToken: options.token, apiUrl: options.apiUrl });
  return (operation, n) =>
    operation === "people.me"
      ? webex.people.me()
      : webex.messages.create({ roomId: options.roomId, markdown: `**sdk ${n}**` });
}

function fetchClient(options: ClientCostOptions): CallFn {
  const headers = { authorization: `Bearer ${options.token}`, "content-type": "application/json" };
  return async (operation, n) => {
    const response =
      operation === "people.me"
        ? await fetch(`${options.apiUrl}/people/me`, { headers })
        : await fetch(`${options.apiUrl}/messages`, {
            method: "POST",
            headers,
            body: JSON.stringify({ roomId: options.roomId, markdown: `**fetch ${n}**` }),
          });
    if (!response.ok) throw new Error(`fetch ${operation}: HTTP ${response.status}`);
    return response.json();
  };
}

function httpClient(options: ClientCostOptions): CallFn {
  const agent = new Agent({ keepAlive: true, maxSockets: 8 });
  const base = new URL(options.apiUrl);
  return (operation, n) =>
    new Promise((resolve, reject) => {
      const body =
        operation === "people.me"
          ? undefined
          : JSON.stringify({ roomId: options.roomId, markdown: `**http ${n}**` });
      const req = request(
        {
          agent,
          host: base.hostname,
          port: base.port,
          method: body === undefined ? "GET" : "POST",
          path: `${base.pathname}${operation === "people.me" ? "/people/me" : "/messages"}`,
          headers: {
            authorization: `Bearer ${options.token}`,
            "content-type": "application/json",
          },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on("data", (chunk: Buffer) => chunks.push(chunk));
          res.on("end", () => {
            if ((res.statusCode ?? 0) >= 300)
              reject(new Error(`http ${operation}: ${res.statusCode}`));
            else resolve(JSON.parse(Buffer.concat(chunks).toString("utf8")));
          });
        },
      );
      req.on("error", reject);
      req.end(body);
    });
}

async function measure(
  client: ClientCostEntry["client"],
  call: CallFn,
  operation: Operation,
  calls: number,
): Promise<ClientCostEntry> {
  const wall: number[] = [];
  const cpuStart = process.cpuUsage();
  for (let n = 0; n < calls; n++) {
    const start = performance.now();
    await call(operation, n);
    wall.push(performance.now() - start);
  }
  const cpu = process.cpuUsage(cpuStart);
  return {
    client,
    operation,
    calls,
    wallMs: summarize(wall),
    cpuMsPerCall: (cpu.user + cpu.system) / 1000 / calls,
  };
}

async function main(): Promise<void> {
  const options = JSON.parse(process.argv[2] ?? "{}") as ClientCostOptions;
  const rssMb = (): number => process.memoryUsage().rss / 1024 / 1024;
  const startMb = rssMb();
  const viaFetch = fetchClient(options);
  await viaFetch("people.me", 0);
  const afterFetchMb = rssMb();
  const viaHttp = httpClient(options);
  const { createWebexClient, createHttpWebexClient } = await import("@sparkbot/core");
  const afterCoreMb = rssMb();
  const viaCoreHttp = coreClient(options, createHttpWebexClient, "core-http");
  await viaCoreHttp("people.me", 0);
  const afterCoreHttpMb = rssMb();
  const viaSdk = sdkClient(options, createWebexClient);
  await viaSdk("people.me", 0);
  const memory: ClientMemory = {
    startMb,
    afterFetchMb,
    afterCoreMb,
    afterCoreHttpMb,
    afterSdkMb: rssMb(),
  };
  const clients = [
    ["sdk", viaSdk],
    ["core-http", viaCoreHttp],
    ["fetch", viaFetch],
    ["http", viaHttp],
  ] as const;
  const operations: Operation[] = ["people.me", "messages.create"];
  for (const [, call] of clients) {
    for (const operation of operations) {
      for (let n = 0; n < options.warmup; n++) await call(operation, n);
    }
  }
  // Two rounds in opposite client order, so that neither client always runs on a warmer process.
  const half = Math.max(1, Math.floor(options.calls / 2));
  const results = new Map<string, ClientCostEntry[]>();
  for (const order of [clients, [...clients].reverse()]) {
    for (const [name, call] of order) {
      for (const operation of operations) {
        const entry = await measure(name, call, operation, half);
        const key = `${name} ${operation}`;
        results.set(key, [...(results.get(key) ?? []), entry]);
      }
    }
  }
  const entries = [...results.values()].map((list) => mergeEntries(list));
  const result: ClientCostResult = { entries, memory };
  process.stdout.write(`RESULT ${JSON.stringify(result)}\n`);
}

/** Averages the two rounds of one client and operation (percentiles: mean of the rounds). */
function mergeEntries(entries: ClientCostEntry[]): ClientCostEntry {
  const first = entries[0];
  if (first === undefined) throw new Error("no measurements");
  const mean = (pick: (entry: ClientCostEntry) => number): number =>
    entries.reduce((sum, entry) => sum + pick(entry), 0) / entries.length;
  return {
    client: first.client,
    operation: first.operation,
    calls: entries.reduce((sum, entry) => sum + entry.calls, 0),
    wallMs: {
      count: entries.reduce((sum, entry) => sum + entry.wallMs.count, 0),
      p50: mean((entry) => entry.wallMs.p50),
      p99: mean((entry) => entry.wallMs.p99),
      mean: mean((entry) => entry.wallMs.mean),
      max: Math.max(...entries.map((entry) => entry.wallMs.max)),
    },
    cpuMsPerCall: mean((entry) => entry.cpuMsPerCall),
  };
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(
      `client-cost failed: ${error instanceof Error ? error.stack : String(error)}\n`,
    );
    process.exit(1);
  },
);
