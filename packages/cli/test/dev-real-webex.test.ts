// `sparkbot dev` with WEBEX_ACCESS_TOKEN and WEBHOOK_URL set runs against "real Webex": no
// emulator is started. An emulator started here plays Webex (WEBEX_API_URL points at it), so the
// bot's webhook registration and replies can be checked. Needs `pnpm build` (it runs dist/).
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { EmulatorControl, startEmulator, type RunningEmulator } from "@sparkbot/emulator";
import { TEST_REDIS_URL, deletePrefix, uniquePrefix, waitFor } from "@sparkbot/testkit";
import { setUpWorld, type EmulatorWorld } from "../src/dev/emulator-setup.js";
import { readSession } from "../src/dev/session.js";
import { freePort } from "../src/lib/ports.js";
import { ENTRY_POINTS } from "../src/paths.js";
import { alive } from "./helpers/process-alive.js";

const REPO_ROOT = fileURLToPath(new URL("../../..", import.meta.url));
const BIN = join(REPO_ROOT, "packages/cli/dist/bin.js");

describe("sparkbot dev against real Webex (WEBEX_ACCESS_TOKEN and WEBHOOK_URL set)", () => {
  const prefix = uniquePrefix("devwebex");
  let webex: RunningEmulator;
  let control: EmulatorControl;
  let world: EmulatorWorld;
  let dir: string;

  beforeAll(async () => {
    for (const path of [BIN, ENTRY_POINTS.receiver, ENTRY_POINTS.worker]) {
      if (!existsSync(path)) throw new Error(`not built, run \`pnpm build\`: ${path}`);
    }
    webex = await startEmulator({ port: 0 });
    control = new EmulatorControl(webex.url);
    world = await setUpWorld(control);
    dir = mkdtempSync(join(tmpdir(), "sparkbot-devwebex-"));
  });

  afterAll(async () => {
    await webex?.close();
    await deletePrefix(prefix);
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("starts no emulator, registers with Webex, answers, and stops cleanly", async () => {
    const receiverPort = await freePort();
    const sessionPath = join(dir, "dev.json");
    const args = [BIN, "dev", "--session", sessionPath, "--receiver-port", String(receiverPort)];
    const dev = spawn(process.execPath, [...args, "--worker-port", "0"], {
      cwd: REPO_ROOT,
      stdio: ["ignore", "pipe", "pipe"],
      env: {
        ...process.env,
        WEBEX_ACCESS_TOKEN: world.bot.token,
        WEBEX_API_URL: webex.apiUrl,
        WEBHOOK_URL: `http://127.0.0.1:${receiverPort}`,
        REDIS_URL: TEST_REDIS_URL,
        REDIS_PREFIX: prefix,
      },
    });
    let output = "";
    dev.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
    dev.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
    const exited = new Promise((resolve) =>
      dev.once("exit", (code, signal) => resolve(code ?? signal)),
    );
    try {
      await waitFor(() => output.includes("SparkBot is ready."), {
        timeoutMs: 45_000,
        intervalMs: 100,
        what: "sparkbot dev to be ready",
      });
      const session = readSession(sessionPath);
      expect(session.mode).toBe("webex");
      expect(session.emulator).toBeUndefined();
      expect(Object.keys(session.pids).sort()).toEqual(["receiver", "worker"]);
      expect(output).toContain("Talk to the bot in Webex");

      const hooks = await control.webhooks();
      expect(hooks.map((hook) => hook.targetUrl)).toContain(
        `http://127.0.0.1:${receiverPort}/sparkbot`,
      );
      await control.sendMessage({
        personId: world.user.id,
        roomId: world.rooms.direct,
        text: "ping",
      });
      const reply = await waitFor(
        async () =>
          (await control.roomMessages(world.rooms.direct)).find((m) => m.personId === world.bot.id),
        { timeoutMs: 15_000, what: "the bot's reply" },
      );
      expect(reply.markdown ?? reply.text).toBe("**pong**");

      dev.kill("SIGINT");
      expect(await exited).toBe(0);
      expect(Object.values(session.pids).filter(alive)).toEqual([]);
    } finally {
      if (dev.exitCode === null) dev.kill("SIGKILL");
    }
  }, 60_000);
});
