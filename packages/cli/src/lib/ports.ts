import { createServer } from "node:net";

/** Resolves with `port` if it can be bound on `host`, else with undefined. */
export function tryPort(port: number, host = "127.0.0.1"): Promise<number | undefined> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once("error", () => resolve(undefined));
    server.listen({ port, host, exclusive: true }, () => {
      const address = server.address();
      const bound = typeof address === "object" && address !== null ? address.port : undefined;
      server.close(() => resolve(bound));
    });
  });
}

/** A TCP port that is free right now on `host` (the kernel's choice). */
export async function freePort(host = "127.0.0.1"): Promise<number> {
  const port = await tryPort(0, host);
  if (port === undefined) throw new Error(`could not find a free port on ${host}`);
  return port;
}

/**
 * The port to use for a service: `requested` when given (0 means any free port), else
 * `preferred` when it is free, else any free port.
 */
export async function choosePort(
  requested: number | undefined,
  preferred: number,
  host = "127.0.0.1",
): Promise<number> {
  if (requested !== undefined && requested !== 0) return requested;
  if (requested === undefined && (await tryPort(preferred, host)) !== undefined) return preferred;
  return freePort(host);
}
