import { connect } from "node:net";
import { Writable } from "node:stream";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { createLogger, loadReceiverConfig } from "@sparkbot/core";
import { EmulatorControl, startEmulator, type RunningEmulator } from "@sparkbot/emulator";
import { TEST_REDIS_URL, waitFor } from "@sparkbot/testkit";
import { startReceiver, type RunningReceiver } from "../src/start.js";
import { PrivateRedis, makeEvent, post } from "./helpers.js";

let emulator: RunningEmulator | undefined;
let receiver: RunningReceiver | undefined;
let redis: PrivateRedis | undefined;
let journalDir: string | undefined;

afterEach(async () => {
  await receiver?.close();
  await redis?.stop();
  await emulator?.close();
  if (journalDir !== undefined) await rm(journalDir, { recursive: true, force: true });
  receiver = redis = emulator = journalDir = undefined;
});

async function startWith(
  redisUrl: string,
  options: Parameters<typeof startReceiver>[1] = {},
): Promise<RunningReceiver> {
  emulator = await startEmulator();
  const control = new EmulatorControl(emulator.url);
  const bot = await control.createPerson({ displayName: "B", email: "b@x.test", type: "bot" });
  journalDir = await mkdtemp(join(tmpdir(), "sparkbot-edges-"));
  const config = loadReceiverConfig({
    WEBEX_ACCESS_TOKEN: bot.token,
    WEBEX_API_URL: emulator.apiUrl,
    REDIS_URL: redisUrl,
    RECEIVER_HOST: "127.0.0.1",
    RECEIVER_PORT: "0",
    WEBHOOK_SECRET: "s",
    JOURNAL_DIR: journalDir,
  });
  receiver = await startReceiver(config, { defaultMetrics: false, redisWaitMs: 200, ...options });
  return receiver;
}

describe("receiver edges", () => {
  it("closes a connection whose headers do not arrive within the header timeout", async () => {
    const r = await startWith(TEST_REDIS_URL, { headersTimeoutMs: 1_000 });
    const socket = connect(r.port, "127.0.0.1");
    const received: Buffer[] = [];
    socket.on("data", (chunk: Buffer) => received.push(chunk));
    const closed = new Promise<void>((resolve) => socket.once("close", () => resolve()));
    socket.write("POST /sparkbot HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n");
    // ...and never the blank line that ends the headers.
    await closed; // Node's default check would have waited its 30 s interval (test timeout)
    expect(Buffer.concat(received).toString()).toMatch(/^HTTP\/1\.1 408/);
  });

  it("reports why Redis cannot be used: a wrong password is not 'not connected'", async () => {
    redis = await PrivateRedis.start(["--requirepass", "right"]);
    const lines: string[] = [];
    const destination = new Writable({
      write(chunk: Buffer, _encoding, done) {
        lines.push(...chunk.toString().split("\n").filter(Boolean));
        done();
      },
    });
    const logger = createLogger({ name: "t", level: "info", destination });
    const r = await startWith(`redis://:wrong@127.0.0.1:${redis.port}`, { logger });
    const answer = await post(`${r.url}/sparkbot`, makeEvent(), { secret: "s" });
    expect(await answer.json()).toMatchObject({ outcome: "journaled" });
    const entry = await waitFor(
      () =>
        lines
          .map((l) => JSON.parse(l) as { msg: string; cause?: string })
          .find((l) => l.msg.startsWith("Redis cannot take events")),
      { what: "the journaling log line" },
    );
    expect(entry.cause).toMatch(/WRONGPASS|invalid username-password/);
  });
});
