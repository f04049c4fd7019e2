import type { EventEmitter } from "node:events";
import { createServer } from "node:http";
import type { IncomingHttpHeaders, Server } from "node:http";
import type { AddressInfo } from "node:net";
import { createRequire } from "node:module";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { waitFor } from "@sparkbot/testkit";

import { EmulatorControl, startEmulator } from "../src/index.js";
import type { ControlPerson, RunningEmulator } from "../src/index.js";

// A third-party Webex framework, `webex-node-bot-framework` (on the `webex` 2.x SDK), runs
// unchanged against the emulator in webhook mode: it registers its webhooks, receives a message
// delivered (and signed) by the emulator, and replies in the room.

/** The parts of the framework's (untyped, CommonJS) API this test uses. */
interface FrameworkBot {
  say(text: string): Promise<unknown>;
}
interface FrameworkTrigger {
  text: string;
  /** Fetched by the framework with the SDK's batched `people.get`. */
  person: { id: string; emails: string[] };
}
interface Framework extends EventEmitter {
  bots: { room: { id: string } }[];
  webhook: { id?: string; name?: string };
  cardsWebhook: { id?: string };
  initialized: boolean;
  hears(phrase: string, action: (bot: FrameworkBot, trigger: FrameworkTrigger) => void): string;
  start(): Promise<unknown>;
  stop(): Promise<unknown>;
}
type FrameworkConstructor = new (options: {
  token: string;
  webhookUrl: string;
  webhookSecret: string;
}) => Framework;
interface WebhookRequest {
  body: unknown;
  headers: IncomingHttpHeaders;
}
interface WebhookResponse {
  status(code: number): void;
  send(text: string): void;
}
type WebhookHandlerFactory = (
  framework: Framework,
) => (req: WebhookRequest, res: WebhookResponse) => Promise<unknown>;

const SECRET = "framework-secret";

let emulator: RunningEmulator;
let control: EmulatorControl;
let bot: ControlPerson;
let alice: ControlPerson;
let framework: Framework;
let receiver: Server;
let handled = 0;

/**
 * Loads the framework after pointing its SDK at the emulator: `webex` reads these variables once,
 * at import. Each Vitest file runs in its own process, so they affect nothing else.
 */
function loadFramework(): { Framework: FrameworkConstructor; webhook: WebhookHandlerFactory } {
  process.env["HYDRA_SERVICE_URL"] = emulator.apiUrl;
  process.env["U2C_SERVICE_URL"] = `${emulator.url}/u2c`;
  process.env["WEBEX_LOG_LEVEL"] = process.env["TP_LOG"] ?? "error";
  const require = createRequire(import.meta.url);
  return {
    Framework: require("webex-node-bot-framework") as FrameworkConstructor,
    webhook: require("webex-node-bot-framework/webhook") as WebhookHandlerFactory,
  };
}

/** A plain node:http server that hands each POST to the framework's webhook handler. */
async function startReceiver(handler: ReturnType<WebhookHandlerFactory>): Promise<Server> {
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      const body: unknown = JSON.parse(Buffer.concat(chunks).toString("utf8"));
      const adapter: WebhookResponse = {
        status: (code) => {
          res.statusCode = code;
        },
        send: (text) => {
          res.end(text);
        },
      };
      void handler({ body, headers: req.headers }, adapter).then(() => {
        handled += 1;
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return server;
}

beforeAll(async () => {
  emulator = await startEmulator();
  control = new EmulatorControl(emulator.url);
  bot = await control.createPerson({
    displayName: "Frame Bot",
    email: "frame@x.test",
    type: "bot",
  });
  alice = await control.createPerson({ displayName: "Alice", email: "alice@x.test" });

  const { Framework, webhook } = loadFramework();
  let handler: ReturnType<WebhookHandlerFactory> = () => Promise.resolve(undefined);
  receiver = await startReceiver((req, res) => handler(req, res));
  const { port } = receiver.address() as AddressInfo;
  framework = new Framework({
    token: bot.token,
    webhookUrl: `http://127.0.0.1:${port}/framework`,
    webhookSecret: SECRET,
  });
  handler = webhook(framework);
  framework.hears("ping", (frameworkBot, trigger) => {
    void frameworkBot.say(`pong for ${trigger.person.emails[0] ?? "?"}`);
  });
  await framework.start();
  // start() resolves before the webhooks exist and before the initial space discovery ends.
  await waitFor(() => framework.initialized && framework.cardsWebhook.id !== undefined, {
    timeoutMs: 10_000,
    what: "the framework to register its webhooks and initialise",
  });
}, 30_000);

afterAll(async () => {
  await framework?.stop();
  receiver?.closeAllConnections();
  await new Promise<void>((resolve) => (receiver ? receiver.close(() => resolve()) : resolve()));
  await emulator?.close();
});

describe("webex-node-bot-framework against the emulator", () => {
  it("registers its firehose and cards webhooks through the emulator's REST API", async () => {
    const webhooks = await control.webhooks();
    const mine = webhooks.filter((w) => w.ownerId === bot.id);
    expect(mine.map((w) => `${w.resource}/${w.event}`).sort()).toEqual([
      "all/all",
      "attachmentActions/created",
    ]);
    expect(mine.every((w) => w.status === "active")).toBe(true);
  });

  it("receives a signed message delivered by the emulator and replies in the room", async () => {
    const room = await control.createRoom({
      title: "",
      type: "direct",
      members: [alice.id, bot.id],
    });
    // The new memberships reach the framework first; it "spawns" a bot object for the room. A
    // message arriving during that spawn is dropped by the framework, so wait for it.
    await waitFor(() => framework.bots.some((b) => b.room.id === room.id), {
      timeoutMs: 10_000,
      what: "the framework to spawn a bot for the new room",
    });
    const before = handled;
    await control.sendMessage({ personId: alice.id, roomId: room.id, text: "ping" });

    const reply = await waitFor(
      async () => {
        const messages = await control.roomMessages(room.id);
        return messages.find((m) => m.personId === bot.id);
      },
      { timeoutMs: 10_000, what: "the framework's reply in the room" },
    );
    expect(reply.text).toBe("pong for alice@x.test");
    expect(handled).toBeGreaterThan(before);

    const deliveries = await control.settledDeliveries();
    const toFramework = deliveries.filter((d) => d.webhookId === framework.webhook.id);
    expect(toFramework.length).toBeGreaterThan(0);
    expect(toFramework.every((d) => d.status === 200)).toBe(true);
  });
});
