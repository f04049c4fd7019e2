import { createServer } from "node:net";
import type { AddressInfo } from "node:net";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";

import { WebexApiError, WebexNetworkError, WebexTimeoutError } from "@sparkbot/core";
import type { WebexClient } from "@sparkbot/core";

import { EmulatorControl, startEmulator } from "../src/index.js";
import type { ControlPerson, RunningEmulator } from "../src/index.js";

import { CLIENT_KINDS } from "./client-kinds.js";

describe.each(CLIENT_KINDS)("$name", ({ create }) => {
  // How each client of core fails: every failure is one of core's errors, in time.

  let emulator: RunningEmulator;
  let control: EmulatorControl;
  let bot: ControlPerson;
  let client: WebexClient;

  beforeAll(async () => {
    emulator = await startEmulator();
    control = new EmulatorControl(emulator.url);
    bot = await control.createPerson({ displayName: "Bot", email: "bot@f.test", type: "bot" });
    client = create({ accessToken: bot.token, apiUrl: emulator.apiUrl, timeoutMs: 400 });
  });

  afterEach(async () => {
    await control.clearFaults();
    vi.restoreAllMocks();
  });

  afterAll(async () => {
    await emulator?.close();
  });

  async function failure(promise: Promise<unknown>): Promise<unknown> {
    return promise.then(
      () => expect.fail("the call should have failed"),
      (error: unknown) => error,
    );
  }

  describe("HTTP errors become WebexApiError", () => {
    it("401 for a bad token, not retryable", async () => {
      const stranger = create({ accessToken: "nope", apiUrl: emulator.apiUrl });
      const error = await failure(stranger.people.me());
      expect(error).toBeInstanceOf(WebexApiError);
      expect(error).toMatchObject({ status: 401, retryable: false });
    });

    it("429 carries Retry-After, and is not retried", async () => {
      await control.fault({
        method: "GET",
        path: "/v1/people/me",
        status: 429,
        retryAfter: 3,
        count: 1,
      });
      const error = await failure(client.people.me());
      expect(error).toBeInstanceOf(WebexApiError);
      expect(error).toMatchObject({ status: 429, retryAfter: 3, retryable: true });
      expect((error as WebexApiError).trackingId).toBeTruthy();
      // The fault was used up by that one request: the next call goes through.
      await expect(client.people.me()).resolves.toMatchObject({ id: bot.id });
    });

    it("500 is a retryable WebexApiError, not retried either", async () => {
      await control.fault({ method: "POST", path: "/v1/messages", status: 500, count: 1 });
      const error = await failure(client.messages.create({ toPersonId: bot.id, text: "x" }));
      expect(error).toBeInstanceOf(WebexApiError);
      expect(error).toMatchObject({ status: 500, retryable: true });
    });
  });

  describe("no call hangs", () => {
    it("a slow answer is a WebexTimeoutError within the timeout", async () => {
      await control.fault({ method: "GET", path: "/v1/rooms", delayMs: 3000, count: 1 });
      const started = Date.now();
      // A timeout error, not the (late) answer: the client stopped waiting at its timeout.
      const error = await failure(client.rooms.get("Y2lzY29zcGFyazovL3VzL1JPT00vYQ"));
      expect(error).toBeInstanceOf(WebexTimeoutError);
      expect(Date.now() - started).toBeGreaterThanOrEqual(350); // and not before it
    });

    it("a dropped connection is a WebexNetworkError", async () => {
      await control.fault({ method: "GET", path: "/v1/webhooks", drop: true, count: 1 });
      const error = await failure(client.webhooks.list());
      expect(error).toBeInstanceOf(WebexNetworkError);
    });

    it("a refused connection is a WebexNetworkError", async () => {
      const port = await closedPort();
      const nowhere = create({
        accessToken: "t",
        apiUrl: `http://127.0.0.1:${port}/v1`,
        timeoutMs: 2000,
      });
      const error = await failure(nowhere.people.me());
      expect(error).toBeInstanceOf(WebexNetworkError);
    });

    it("people.get of an unknown id is a 404, not the SDK batcher's hang", async () => {
      const error = await failure(client.people.get("Y2lzY29zcGFyazovL3VzL1BFT1BMRS9ub2JvZHk"));
      expect(error).toMatchObject({ status: 404 });
    });
  });

  describe("instances", () => {
    it("each client talks to its own URL, in one process", async () => {
      const other = await startEmulator();
      try {
        const otherControl = new EmulatorControl(other.url);
        const otherBot = await otherControl.createPerson({
          displayName: "Other Bot",
          email: "other@f.test",
          type: "bot",
        });
        const otherClient = create({ accessToken: otherBot.token, apiUrl: other.apiUrl });
        const [mine, theirs] = await Promise.all([client.people.me(), otherClient.people.me()]);
        expect(mine.id).toBe(bot.id);
        expect(theirs.id).toBe(otherBot.id);
        // Each token is known only to its own emulator.
        const crossed = create({ accessToken: otherBot.token, apiUrl: emulator.apiUrl });
        expect(await failure(crossed.people.me())).toMatchObject({ status: 401 });
      } finally {
        await other.close();
      }
    });

    it("the client prints nothing, even under NODE_ENV=test and on failures", async () => {
      expect(process.env["NODE_ENV"]).toBe("test");
      const printed: unknown[] = [];
      for (const method of ["log", "info", "warn", "error", "debug", "trace"] as const) {
        vi.spyOn(console, method).mockImplementation((...args: unknown[]) => {
          printed.push(args);
        });
      }
      const quiet = create({ accessToken: bot.token, apiUrl: emulator.apiUrl });
      await quiet.people.me();
      await failure(quiet.messages.get("Y2lzY29zcGFyazovL3VzL01FU1NBR0Uvbm9uZQ"));
      await control.fault({ method: "GET", path: "/v1/people/me", drop: true, count: 1 });
      await failure(quiet.people.me());
      expect(printed).toEqual([]);
    });
  });
});

/** A port nothing listens on: bound once, then released. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
