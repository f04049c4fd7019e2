import { createServer, connect, type AddressInfo, type Socket } from "node:net";

/**
 * A TCP proxy in front of Redis that counts round trips: on each connection, every time the
 * client sends after having received (or at first), one more. A pipeline written at once is
 * one round trip however many commands it holds; a command awaited before the next is sent is
 * one each. Counts every connection the clients open through it (BullMQ's blocking one too).
 */
export interface CountingProxy {
  /** `redis://127.0.0.1:<port>`: give it to the services as `REDIS_URL`. */
  url: string;
  /** Round trips since the start or the last `reset`. */
  roundTrips(): number;
  reset(): void;
  close(): Promise<void>;
}

export async function startCountingProxy(redisUrl: string): Promise<CountingProxy> {
  const target = new URL(redisUrl);
  const sockets = new Set<Socket>();
  let trips = 0;
  const server = createServer((client) => {
    let lastFromClient = false;
    const upstream = connect(Number(target.port || 6379), target.hostname);
    client.on("data", (chunk: Buffer) => {
      if (!lastFromClient) trips += 1;
      lastFromClient = true;
      upstream.write(chunk);
    });
    upstream.on("data", (chunk: Buffer) => {
      lastFromClient = false;
      client.write(chunk);
    });
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.on("error", () => undefined);
      socket.on("close", () => {
        sockets.delete(socket);
        client.destroy();
        upstream.destroy();
      });
    }
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `redis://127.0.0.1:${port}`,
    roundTrips: () => trips,
    reset: () => {
      trips = 0;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
