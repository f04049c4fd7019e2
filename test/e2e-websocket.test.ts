// `npm run dev -- --websocket`: the same local system with the receiver listening on the
// emulator's websocket instead of taking webhooks (INGRESS=websocket). The test talks to the
// bot with `npm run sparkbot -- say`, checks that no webhook was registered or delivered, that
// the receiver's socket is up, and stops it all with Ctrl-C.
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DevSession } from "../packages/cli/src/dev/session.js";
import { EmulatorControl } from "../packages/emulator/src/index.js";
import { readSession } from "../packages/cli/src/dev/session.js";
import {
  TEST_REDIS_URL,
  deletePrefix,
  uniquePrefix,
  waitFor,
} from "../packages/testkit/src/index.js";
import { interrupt, run, start, stop, type Running } from "./support/processes.js";
import { ROOT } from "./support/repo.js";

const BUILT = [
  "packages/cli/dist/bin.js",
  "packages/emulator/dist/cli.js",
  "services/receiver/dist/main.js",
  "services/worker/dist/main.js",
].map((path) => join(ROOT, path));

interface Reply {
  text?: string;
  markdown?: string;
}

describe("end to end: sparkbot dev --websocket", () => {
  const prefix = uniquePrefix("e2e-ws");
  let dir: string;
  let sessionPath: string;
  let dev: Running;
  let session: DevSession;

  beforeAll(async () => {
    const missing = BUILT.filter((path) => !existsSync(path));
    if (missing.length > 0) throw new Error(`not built, run \`pnpm build\`: ${missing.join(", ")}`);
    dir = mkdtempSync(join(tmpdir(), "sparkbot-e2e-ws-"));
    sessionPath = join(dir, "dev.json");
    const ports = ["--emulator-port", "0", "--receiver-port", "0", "--worker-port", "0"];
    dev = start(
      "npm",
      ["run", "-s", "dev", "--", "--websocket", "--session", sessionPath, ...ports],
      {
        cwd: ROOT,
        detached: true,
        env: {
          ...process.env,
          REDIS_URL: TEST_REDIS_URL,
          REDIS_PREFIX: prefix,
          WEBEX_ACCESS_TOKEN: "",
          SPARK_ACCESS_TOKEN: "",
          WEBHOOK_URL: "",
        },
      },
    );
    await waitFor(
      () => {
        if (dev.process.exitCode !== null) throw new Error(`sparkbot dev exited:\n${dev.output()}`);
        return dev.output().includes("SparkBot is ready.");
      },
      { timeoutMs: 60_000, intervalMs: 100, what: `sparkbot dev to be ready\n${dev.output()}` },
    );
    session = readSession(sessionPath);
  }, 90_000);

  afterAll(async () => {
    const running = dev?.process.exitCode === null && dev.process.signalCode === null;
    if (running) interrupt(dev);
    await stop(dev, 20_000);
    await deletePrefix(prefix);
    if (dir) rmSync(dir, { recursive: true, force: true });
  }, 60_000);

  async function say(text: string, extra: string[] = []): Promise<string[]> {
    const args = ["say", "--session", sessionPath, "--json", ...extra];
    const result = await run("npm", ["run", "-s", "sparkbot", "--", ...args, text], {
      cwd: ROOT,
      timeoutMs: 30_000,
    });
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    return result.stdout
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line) as Reply)
      .map((reply) => reply.markdown ?? reply.text ?? "");
  }

  it("answers ping in both rooms over the websocket, with no webhook at all", async () => {
    expect(session.ingress).toBe("websocket");
    expect(dev.output()).toContain("Ingress:  websocket");
    expect(await say("ping")).toEqual(["**pong**"]);
    expect(await say("ping", ["--room", "group"])).toEqual(["**pong**"]);
    expect(await say('echo "two words"')).toEqual(["two words"]);
    const control = new EmulatorControl(session.emulator?.url ?? "");
    expect(await control.webhooks()).toEqual([]);
    expect(await control.deliveries()).toEqual([]);
    const state = await control.websocketState();
    expect(state.connections.filter((c) => c.authorized)).toHaveLength(1);
    expect(state.devices).toHaveLength(1);
    const metrics = await (await fetch(`${session.receiverUrl}/metrics`)).text();
    expect(metrics).toMatch(/^sparkbot_websocket_connected 1$/m);
    expect(metrics).toMatch(
      /sparkbot_websocket_events_total\{kind="messages\/created",outcome="accepted"\} 3/,
    );
    expect((await fetch(`${session.receiverUrl}/readyz`)).status).toBe(200);
  }, 90_000);

  it("the chat page talks to the bot as it does with webhooks", async () => {
    const emulatorUrl = session.emulator?.url ?? "";
    const roomId = session.emulator?.rooms.direct ?? "";
    const posted = await fetch(`${emulatorUrl}/chat/api/messages`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ personId: session.emulator?.user.id, roomId, text: "ping" }),
    });
    expect(posted.status).toBe(200);
    const { id } = ((await posted.json()) as { message: { id: string } }).message;
    await waitFor(
      async () => {
        const history = (await (
          await fetch(`${emulatorUrl}/chat/api/rooms/${encodeURIComponent(roomId)}/messages`)
        ).json()) as {
          items: { message: { id: string; personId: string; markdown?: string; text?: string } }[];
        };
        const messages = history.items.map((item) => item.message);
        const sent = messages.findIndex((m) => m.id === id);
        if (sent < 0) return false;
        const after = messages.slice(sent + 1);
        return after.some(
          (m) => m.personId === session.emulator?.bot.id && /pong/.test(m.markdown ?? m.text ?? ""),
        );
      },
      { what: "the bot's pong on the chat page", timeoutMs: 30_000 },
    );
  }, 60_000);
});
