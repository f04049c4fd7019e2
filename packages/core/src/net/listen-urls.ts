import { networkInterfaces } from "node:os";

/** True for the wildcard addresses a server listens on to accept every interface. */
export function isWildcardHost(host: string): boolean {
  return host === "0.0.0.0" || host === "::" || host === "" || host === "[::]";
}

function urlOf(address: string, port: number): string {
  return `http://${address.includes(":") ? `[${address}]` : address}:${port}`;
}

/**
 * The URLs at which a server listening on `host:port` is really reachable, for its start-up log
 * line. A specific address gives one URL. A wildcard (`0.0.0.0`, `::`) gives one URL per address
 * of this machine's interfaces, the external ones first and loopback last (in a container: its
 * address on the container network, then 127.0.0.1), IPv6 ones only when listening on `::`.
 */
export function listenUrls(
  host: string,
  port: number,
  interfaces: ReturnType<typeof networkInterfaces> = networkInterfaces(),
): string[] {
  if (!isWildcardHost(host)) return [urlOf(host, port)];
  const withV6 = host !== "0.0.0.0";
  const addresses = Object.values(interfaces)
    .flatMap((list) => list ?? [])
    .filter((info) => info.family === "IPv4" || (withV6 && !info.address.startsWith("fe80:")))
    .sort((a, b) => Number(a.internal) - Number(b.internal));
  const urls = addresses.map((info) => urlOf(info.address, port));
  return urls.length > 0 ? [...new Set(urls)] : [urlOf("127.0.0.1", port)];
}
