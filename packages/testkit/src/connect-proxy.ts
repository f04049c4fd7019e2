import { createServer, type Server } from "node:http";
import { connect, type AddressInfo, type Socket } from "node:net";

/**
 * A real forward proxy for tests: a `node:http` server answering `CONNECT host:port` by piping
 * the tunnel to its target (what squid or a corporate proxy does). It records each tunnel's
 * target and, for plain-HTTP targets, the request lines that pass through it (`GET /path`), so
 * that a test can tell which calls took the proxy.
 */
export interface TestProxy {
  /** `http://127.0.0.1:<port>`. */
  url: string;
  /** The `host:port` of each tunnel, in order. */
  tunnels: string[];
  /** `METHOD /path` of each HTTP request seen inside a tunnel, with its target. */
  requests: { target: string; line: string }[];
  close(): Promise<void>;
}

const REQUEST_LINE = /^(GET|POST|PUT|DELETE|PATCH|HEAD|OPTIONS) (\S+) HTTP\/1\.[01]\r$/gm;

export async function startConnectProxy(): Promise<TestProxy> {
  const tunnels: string[] = [];
  const requests: { target: string; line: string }[] = [];
  const sockets = new Set<Socket>();
  const server: Server = createServer((_req, res) => res.writeHead(405).end());
  server.on("connect", (req, client: Socket, head: Buffer) => {
    const target = req.url ?? "";
    const [host = "", port = "80"] = target.split(":");
    tunnels.push(target);
    const sniff = (chunk: Buffer) => {
      for (const match of chunk.toString("latin1").matchAll(REQUEST_LINE)) {
        requests.push({ target, line: `${match[1]} ${match[2]}` });
      }
    };
    const upstream = connect(Number(port), host, () => {
      client.write("HTTP/1.1 200 Connection Established\r\n\r\n");
      sniff(head);
      upstream.write(head);
      client.on("data", sniff);
      upstream.pipe(client);
      client.pipe(upstream);
    });
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.on("error", () => socket.destroy());
      socket.on("close", () => {
        sockets.delete(socket);
        (socket === client ? upstream : client).destroy();
      });
    }
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    tunnels,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
