// Neither service loads the `webex` SDK unless WEBEX_CLIENT=sdk chooses it: each built service
// runs as a real process (against the emulator, so that its Webex client is created and used)
// with a preloaded probe that writes, when the process exits, every CommonJS module it loaded
// (the SDK is CommonJS: however it is reached, its files land in that list).
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  EmulatorControl,
  startEmulator,
  type RunningEmulator,
} from "../packages/emulator/src/index.js";
import {
  TEST_REDIS_URL,
  deletePrefix,
  freePort,
  uniquePrefix,
  waitFor,
} from "../packages/testkit/src/index.js";
import { ROOT } from "./support/repo.js";

const PROBE = `const { writeFileSync } = require("node:fs");
process.on("exit", () => writeFileSync(process.env.PROBE_OUT, JSON.stringify(Object.keys(require.cache))));
`;

const SDK_FILE = /[\\/]node_modules[\\/](?:@webex[\\/]|webex[\\/])/;

const SERVICES = {
  receiver: join(ROOT, "services/receiver/dist/main.js"),
  worker: join(ROOT, "services/worker/dist/main.js"),
} as const;

describe("which Webex client a service loads", () => {
  let emulator: RunningEmulator;
  let token: string;
  let dir: string;
  const prefixes: string[] = [];

  beforeAll(async () => {
    emulator = await startEmulator();
    const bot = await new EmulatorControl(emulator.url).createPerson({
      displayName: "Lean Bot",
      email: "lean@x.test",
      type: "bot",
    });
    token = bot.token;
    dir = mkdtempSync(join(tmpdir(), "sdk-loading-"));
    writeFileSync(join(dir, "probe.cjs"), PROBE);
  });

  afterAll(async () => {
    await emulator?.close();
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
    await Promise.all(prefixes.map((prefix) => deletePrefix(prefix)));
  });

  /** Starts `service`, waits until it is ready, stops it; resolves the modules it loaded. */
  async function modulesLoaded(
    service: keyof typeof SERVICES,
    client: string | undefined,
  ): Promise<string[]> {
    const prefix = uniquePrefix(`sdk-${service}`);
    prefixes.push(prefix);
    const port = await freePort();
    const out = join(dir, `${service}-${client ?? "default"}.json`);
    const portVariable = service === "receiver" ? "RECEIVER_PORT" : "WORKER_PORT";
    const health = service === "receiver" ? "readyz" : "healthz";
    const child = spawn(
      process.execPath,
      ["--require", join(dir, "probe.cjs"), SERVICES[service]],
      {
        env: {
          PATH: process.env["PATH"] ?? "",
          PROBE_OUT: out,
          WEBEX_ACCESS_TOKEN: token,
          WEBEX_API_URL: emulator.apiUrl,
          REDIS_URL: TEST_REDIS_URL,
          REDIS_PREFIX: prefix,
          LOG_LEVEL: "warn",
          RECEIVER_HOST: "127.0.0.1",
          WORKER_HOST: "127.0.0.1",
          [portVariable]: String(port),
          // The receiver registers its webhooks: Webex calls through its client.
          WEBHOOK_URL: `http://127.0.0.1:${port}`,
          BACKFILL_ENABLED: "false",
          ...(client !== undefined ? { WEBEX_CLIENT: client } : {}),
        },
        stdio: ["ignore", "ignore", "pipe"],
      },
    );
    let stderr = "";
    child.stderr?.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child.once("exit", resolve));
    try {
      await waitFor(
        async () => (await fetch(`http://127.0.0.1:${port}/${health}`).catch(() => undefined))?.ok,
        { timeoutMs: 25_000, what: `${service} ready (stderr: ${stderr})` },
      );
    } finally {
      child.kill("SIGTERM");
    }
    expect(await exited, stderr).toBe(0);
    return JSON.parse(readFileSync(out, "utf8")) as string[];
  }

  it.each(["receiver", "worker"] as const)(
    "the %s on the default client never loads the SDK",
    async (service) => {
      const loaded = await modulesLoaded(service, undefined);
      expect(loaded.length).toBeGreaterThan(0);
      expect(loaded.filter((file) => SDK_FILE.test(file))).toEqual([]);
    },
  );

  it.each(["receiver", "worker"] as const)(
    "the %s with WEBEX_CLIENT=sdk does load it",
    async (service) => {
      const loaded = await modulesLoaded(service, "sdk");
      expect(loaded.some((file) => SDK_FILE.test(file))).toBe(true);
    },
  );
});
