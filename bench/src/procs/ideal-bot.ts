// The no-queue "ideal" bot, the physical reference of the comparison: one process, node:http
// receiving the webhook, then at once `GET /v1/messages/{id}` and `POST /v1/messages` with
// keep-alive fetch. No signature check, no queue, no ledger: nothing survives a crash, nothing
// is deduplicated. It registers its own webhook with the emulator. Prints `READY {"port": n}`.
import { createServer } from "node:http";

/** What the parent passes as the first argument (JSON). */
export interface IdealBotOptions {
  token: string;
  apiUrl: string;
  port: number;
  botId: string;
}

async function main(): Promise<void> {
  const options = JSON.parse(process.argv[2] ?? "{}") as IdealBotOptions;
  const headers = { authorization: `Bearer ${options.token}`, "content-type": "application/json" };
  const handle = async (event: { data?: { id?: string; personId?: string } }): Promise<void> => {
    const id = event.data?.id;
    if (id === undefined || event.data?.personId === options.botId) return;
    const got = await fetch(`${options.apiUrl}/messages/${encodeURIComponent(id)}`, { headers });
    const message = (await got.json()) as { roomId: string; text?: string };
    if (message.text?.trim() !== "ping") return;
    const sent = await fetch(`${options.apiUrl}/messages`, {
      method: "POST",
      headers,
      body: JSON.stringify({ roomId: message.roomId, markdown: "**pong**" }),
    });
    await sent.arrayBuffer();
  };
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      res.statusCode = 200;
      res.end();
      try {
        void handle(JSON.parse(Buffer.concat(chunks).toString("utf8"))).catch((error: unknown) =>
          process.stderr.write(`ideal bot: ${String(error)}\n`),
        );
      } catch {
        // not JSON: ignored
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(options.port, "127.0.0.1", resolve));
  const created = await fetch(`${options.apiUrl}/webhooks`, {
    method: "POST",
    headers,
    body: JSON.stringify({
      name: "ideal",
      targetUrl: `http://127.0.0.1:${options.port}/`,
      resource: "messages",
      event: "created",
    }),
  });
  if (!created.ok) throw new Error(`webhook registration failed: ${created.status}`);
  process.stdout.write(`READY ${JSON.stringify({ port: options.port })}\n`);
  process.on("SIGTERM", () => {
    server.close();
    server.closeAllConnections();
    process.exit(0);
  });
}

main().catch((error: unknown) => {
  process.stderr.write(
    `ideal-bot failed: ${error instanceof Error ? error.stack : String(error)}\n`,
  );
  process.exit(1);
});
