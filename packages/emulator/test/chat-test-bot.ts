import { createHmac, timingSafeEqual } from "node:crypto";
import { createServer, type IncomingMessage } from "node:http";
import type { AddressInfo } from "node:net";

/**
 * A tiny bot for the chat page's browser test: a real HTTP server that receives the emulator's
 * webhooks, verifies their signature, fetches the message and answers through the emulator's
 * REST API as the bot — like a SparkBot deployment, without Redis.
 *
 *   ping            → **pong**
 *   slow            → "working on it", then **done** once the test calls `finishSlow()`
 *   echo <text>     → <text> as markdown (so `echo <script>…` tests escaping)
 *   help            → a reply with a list, code, a code block and a link
 */
export interface TestBot {
  url: string;
  /** Deliveries refused because their signature was wrong. */
  badSignatures: number;
  /** Lets every `slow` command waiting after its first reply send its final one. */
  finishSlow(): void;
  close(): Promise<void>;
}

export interface TestBotOptions {
  apiUrl: string;
  token: string;
  botId: string;
  botName: string;
  secret: string;
}

const HELP = [
  "**Commands**",
  "",
  "- `ping` checks that the bot is up",
  "- `slow` answers twice",
  "- `echo <text>` says it back",
  "",
  "```",
  "curl -X POST $EMULATOR/_emulator/messages",
  "```",
  "More in the [SparkBot docs](https://github.com/sparkbot).",
].join("\n");

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => resolve(Buffer.concat(chunks)));
    req.on("error", reject);
  });
}

function signatureMatches(raw: Buffer, header: string | string[] | undefined, secret: string) {
  if (typeof header !== "string") return false;
  const expected = Buffer.from(createHmac("sha1", secret).update(raw).digest("hex"));
  const given = Buffer.from(header);
  return expected.length === given.length && timingSafeEqual(expected, given);
}

/** Starts the bot on a free port. */
export async function startTestBot(options: TestBotOptions): Promise<TestBot> {
  const headers = { authorization: `Bearer ${options.token}`, "content-type": "application/json" };
  const say = async (roomId: string, markdown: string): Promise<void> => {
    const response = await fetch(`${options.apiUrl}/messages`, {
      method: "POST",
      headers,
      body: JSON.stringify({ roomId, markdown }),
    });
    if (!response.ok) throw new Error(`reply failed: ${response.status} ${await response.text()}`);
  };
  const waitingSlow: (() => void)[] = [];
  const answer = async (messageId: string): Promise<void> => {
    const response = await fetch(`${options.apiUrl}/messages/${messageId}`, { headers });
    const message = (await response.json()) as { roomId: string; text?: string };
    let text = (message.text ?? "").trim();
    if (text.startsWith(options.botName)) text = text.slice(options.botName.length).trim();
    const [command = "", ...rest] = text.split(" ");
    if (command === "ping") await say(message.roomId, "**pong**");
    else if (command === "help") await say(message.roomId, HELP);
    else if (command === "echo") await say(message.roomId, rest.join(" "));
    else if (command === "slow") {
      await say(message.roomId, "working on it");
      await new Promise<void>((resolve) => waitingSlow.push(resolve));
      await say(message.roomId, "**done**");
    } else await say(message.roomId, `I do not know \`${command}\`. Try \`help\`.`);
  };

  const finishSlow = () => waitingSlow.splice(0).forEach((resolve) => resolve());
  const bot: TestBot = {
    url: "",
    badSignatures: 0,
    finishSlow,
    close: async () => undefined,
  };
  const server = createServer((req, res) => {
    void readBody(req).then((raw) => {
      if (!signatureMatches(raw, req.headers["x-spark-signature"], options.secret)) {
        bot.badSignatures += 1;
        res.writeHead(401).end();
        return;
      }
      res.writeHead(200).end();
      const envelope = JSON.parse(raw.toString("utf8")) as {
        resource: string;
        data: { id: string; personId: string };
      };
      if (envelope.resource !== "messages" || envelope.data.personId === options.botId) return;
      answer(envelope.data.id).catch((error: unknown) => {
        process.stderr.write(`test bot: ${String(error)}\n`);
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  bot.url = `http://127.0.0.1:${port}/webhook`;
  bot.close = () =>
    new Promise<void>((resolve) => {
      finishSlow();
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return bot;
}
