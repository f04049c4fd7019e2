import { createHmac, timingSafeEqual } from "node:crypto";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";

/** One POST a test receiver got: the raw body, its signature header, and whether it verified. */
export interface Received {
  path: string;
  raw: string;
  body: Record<string, unknown>;
  signature: string | undefined;
  verified: boolean;
}

/** A real HTTP server that records webhook POSTs and checks their signatures independently. */
export interface TestReceiver {
  url: string;
  received: Received[];
  /** The status to answer with (default 200). */
  status: number;
  close(): Promise<void>;
}

/** Starts a receiver on port 0 that verifies `X-Spark-Signature` with `secret`. */
export async function startReceiver(secret: string): Promise<TestReceiver> {
  const received: Received[] = [];
  const receiver: TestReceiver = { url: "", received, status: 200, close: async () => {} };
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      const bytes = Buffer.concat(chunks);
      const header = req.headers["x-spark-signature"];
      const signature = typeof header === "string" ? header : undefined;
      const expected = createHmac("sha1", secret).update(bytes).digest();
      const given = Buffer.from(signature ?? "", "hex");
      received.push({
        path: req.url ?? "",
        raw: bytes.toString("utf8"),
        body: JSON.parse(bytes.toString("utf8")) as Record<string, unknown>,
        signature,
        verified: given.length === expected.length && timingSafeEqual(given, expected),
      });
      res.writeHead(receiver.status).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  receiver.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  receiver.close = () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return receiver;
}
