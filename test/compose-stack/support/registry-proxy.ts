import { createServer, type IncomingMessage, type Server } from "node:http";
import { connect as netConnect, type Socket } from "node:net";
import { connect as tlsConnect, TLSSocket, type SecureContextOptions } from "node:tls";

/** An HTTPS proxy for image builds that lets through only the npm registry. */
export interface RegistryProxy {
  /** `http://<address>:<port>`, for the builds' HTTPS_PROXY. */
  url: string;
  /** Hosts asked for and refused (anything but the allowed ones). */
  refused: string[];
  /** How many tunnels were opened to an allowed host. */
  tunnels(): number;
  close(): Promise<void>;
}

/** Settings of `startRegistryProxy`. */
export interface RegistryProxyOptions {
  /** The address to listen on: the build network's gateway, so containers reach only it. */
  host: string;
  /** `host:port` pairs a CONNECT may open, e.g. `registry.npmjs.org:443`. */
  allowed: string[];
  /**
   * Intercept TLS as a corporate proxy does: present a certificate for the registry signed by a
   * CA of our own (the build must trust it through EXTRA_CA_CERT), and talk to the real registry
   * behind it. Without it, tunnels are passed through untouched.
   */
  intercept?: SecureContextOptions;
}

/**
 * Starts the proxy. Image builds run on a bridge with no route out (the test's dockerd neither
 * forwards nor masquerades), so this proxy, on the host side of that bridge, is their only way to
 * the npm registry, and to nothing else.
 */
export async function startRegistryProxy(options: RegistryProxyOptions): Promise<RegistryProxy> {
  const refused: string[] = [];
  let tunnels = 0;
  const sockets = new Set<Socket>();
  const server: Server = createServer((request, response) => {
    refused.push(request.url ?? "?");
    response.writeHead(405, { "content-type": "text/plain" }).end("CONNECT only\n");
  });
  server.on("connection", (socket: Socket) => {
    sockets.add(socket);
    socket.once("close", () => sockets.delete(socket));
  });
  server.on("connect", (request: IncomingMessage, client: Socket, head: Buffer) => {
    const target = request.url ?? "";
    const [host, port] = target.split(":");
    if (!options.allowed.includes(target) || host === undefined || port === undefined) {
      refused.push(target);
      client.end("HTTP/1.1 403 Forbidden\r\n\r\n");
      return;
    }
    tunnels += 1;
    client.on("error", () => client.destroy());
    if (options.intercept === undefined) passThrough(client, head, host, Number(port));
    else intercept(client, head, host, Number(port), options.intercept);
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, options.host, () => resolve());
  });
  const address = server.address();
  if (address === null || typeof address === "string") throw new Error("proxy has no port");
  return {
    url: `http://${options.host}:${address.port}`,
    refused,
    tunnels: () => tunnels,
    async close() {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function passThrough(client: Socket, head: Buffer, host: string, port: number): void {
  const upstream = netConnect(port, host, () => {
    client.write("HTTP/1.1 200 Connection Established\r\n\r\n");
    if (head.length > 0) upstream.write(head);
    upstream.pipe(client);
    client.pipe(upstream);
  });
  upstream.on("error", () => client.destroy());
  client.on("close", () => upstream.destroy());
}

function intercept(
  client: Socket,
  head: Buffer,
  host: string,
  port: number,
  context: SecureContextOptions,
): void {
  client.write("HTTP/1.1 200 Connection Established\r\n\r\n");
  if (head.length > 0) client.unshift(head);
  const inner = new TLSSocket(client, { isServer: true, ...context });
  const upstream = tlsConnect({ host, port, servername: host });
  inner.on("error", () => upstream.destroy());
  upstream.on("error", () => inner.destroy());
  inner.pipe(upstream);
  upstream.pipe(inner);
  inner.on("close", () => upstream.destroy());
  upstream.on("close", () => inner.destroy());
}
