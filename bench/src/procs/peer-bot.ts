// The peer, run as its own process: the npm package `webex-node-bot-framework` in webhook mode,
// answering `ping` with **pong**, behind a tiny node:http wrapper that feeds its webhook handler.
// Its SDK (the full `webex` bundle) reaches the emulator through HYDRA_SERVICE_URL and
// U2C_SERVICE_URL, set by the parent. Prints `READY {"port": n}` once the framework is initialized.
import { createServer, type IncomingMessage } from "node:http";
import { createRequire } from "node:module";

/** What the parent passes as the first argument (JSON). */
export interface PeerBotOptions {
  token: string;
  secret: string;
  port: number;
  /**
   * The SDK's people batcher wait (`config.people.batcherWait`, 100 ms as the framework ships):
   * the framework looks the sender up before it answers, and that lookup waits this long for
   * other lookups to batch with. Unset: as shipped.
   */
  peopleBatcherWaitMs?: number;
}

interface FrameworkBot {
  say(format: string, text: string): Promise<unknown>;
}
interface Framework {
  webex?: { config?: { people?: { batcherWait?: number } } };
  start(): Promise<unknown>;
  stop(): Promise<unknown>;
  hears(phrase: string, action: (bot: FrameworkBot) => unknown): string;
  on(event: string, listener: (...args: unknown[]) => void): void;
}
interface ShimResponse {
  status(code: number): void;
  send(body: string): void;
}
type WebhookHandler = (
  req: { body: unknown; headers: IncomingMessage["headers"] },
  res: ShimResponse,
) => unknown;

const require = createRequire(import.meta.url);
const FrameworkClass = require("webex-node-bot-framework") as new (options: object) => Framework;
const webhook = require("webex-node-bot-framework/webhook") as (
  framework: Framework,
) => WebhookHandler;

async function main(): Promise<void> {
  const options = JSON.parse(process.argv[2] ?? "{}") as PeerBotOptions;
  const framework = new FrameworkClass({
    token: options.token,
    webhookUrl: `http://127.0.0.1:${options.port}/`,
    webhookSecret: options.secret,
    removeWebhooksOnStart: true,
  });
  framework.hears("ping", (bot) => bot.say("markdown", "**pong**"));
  const handler = webhook(framework);
  const initialized = new Promise<void>((resolve) => framework.on("initialized", () => resolve()));

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      let body: unknown;
      try {
        body = JSON.parse(Buffer.concat(chunks).toString("utf8"));
      } catch {
        res.statusCode = 400;
        res.end();
        return;
      }
      const shim: ShimResponse = {
        status: (code) => {
          res.statusCode = code;
        },
        send: (text) => {
          res.end(text);
        },
      };
      void Promise.resolve(handler({ body, headers: req.headers }, shim)).catch(
        (error: unknown) => {
          process.stderr.write(`peer webhook handler failed: ${String(error)}\n`);
        },
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(options.port, "127.0.0.1", resolve));
  await framework.start();
  await initialized;
  const people = framework.webex?.config?.people;
  if (options.peopleBatcherWaitMs !== undefined) {
    if (people === undefined) throw new Error("the SDK has no people config to tune");
    people.batcherWait = options.peopleBatcherWaitMs;
  }
  process.stdout.write(`READY ${JSON.stringify({ port: options.port })}\n`);
  process.on("SIGTERM", () => {
    server.close();
    server.closeAllConnections();
    void framework.stop().finally(() => process.exit(0));
    setTimeout(() => process.exit(0), 2_000).unref();
  });
}

main().catch((error: unknown) => {
  process.stderr.write(
    `peer-bot failed: ${error instanceof Error ? error.stack : String(error)}\n`,
  );
  process.exit(1);
});
