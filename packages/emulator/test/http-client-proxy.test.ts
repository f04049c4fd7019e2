import { createServer, type Server } from "node:http";
import { connect, type AddressInfo, type Socket } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { WebexNetworkError, createHttpWebexClient, readProxy } from "@sparkbot/core";

import { EmulatorControl, startEmulator } from "../src/index.js";
import type { ControlPerson, RunningEmulator } from "../src/index.js";

/**
 * The plain HTTP client through a real forward proxy: a `node:http` server answering `CONNECT`
 * by piping the tunnel to its target (what squid or a corporate proxy does), counting tunnels.
 */
interface TestProxy {
  url: string;
  tunnels: string[];
  close(): Promise<void>;
}

async function startProxy(): Promise<TestProxy> {
  const tunnels: string[] = [];
  const sockets = new Set<Socket>();
  const server: Server = createServer((_req, res) => res.writeHead(405).end());
  server.on("connect", (req, client: Socket, head: Buffer) => {
    const [host = "", port = "80"] = (req.url ?? "").split(":");
    tunnels.push(req.url ?? "");
    const upstream = connect(Number(port), host, () => {
      client.write("HTTP/1.1 200 Connection Established\r\n\r\n");
      upstream.write(head);
      upstream.pipe(client);
      client.pipe(upstream);
    });
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.on("error", () => socket.destroy());
      socket.on("close", () => sockets.delete(socket));
    }
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    tunnels,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

describe("HTTP client behind a proxy", () => {
  let emulator: RunningEmulator;
  let proxy: TestProxy;
  let bot: ControlPerson;

  beforeAll(async () => {
    emulator = await startEmulator();
    proxy = await startProxy();
    bot = await new EmulatorControl(emulator.url).createPerson({
      displayName: "Proxy Bot",
      email: "proxy-bot@x.test",
      type: "bot",
    });
  });

  afterAll(async () => {
    await proxy?.close();
    await emulator?.close();
  });

  it("reaches Webex through HTTP_PROXY", async () => {
    const before = proxy.tunnels.length;
    const client = createHttpWebexClient({
      accessToken: bot.token,
      apiUrl: emulator.apiUrl,
      proxy: { httpProxy: proxy.url },
    });
    expect((await client.people.me()).id).toBe(bot.id);
    const host = new URL(emulator.apiUrl).host;
    expect(proxy.tunnels.slice(before)).toContain(host);
  });

  it("goes direct to a NO_PROXY host", async () => {
    const before = proxy.tunnels.length;
    const host = new URL(emulator.apiUrl).hostname;
    const client = createHttpWebexClient({
      accessToken: bot.token,
      apiUrl: emulator.apiUrl,
      proxy: { httpProxy: proxy.url, noProxy: `example.test,${host}` },
    });
    expect((await client.people.me()).id).toBe(bot.id);
    expect(proxy.tunnels.length).toBe(before);
  });

  it("fails with a network error when the proxy is unreachable", async () => {
    const closed = await startProxy();
    await closed.close();
    const client = createHttpWebexClient({
      accessToken: bot.token,
      apiUrl: emulator.apiUrl,
      timeoutMs: 5000,
      proxy: { httpProxy: closed.url },
    });
    await expect(client.people.me()).rejects.toBeInstanceOf(WebexNetworkError);
  });
});

describe("readProxy", () => {
  it("reads the upper-case variables first, then the lower-case ones", () => {
    expect(readProxy({})).toBeUndefined();
    expect(readProxy({ NO_PROXY: "x.test" })).toBeUndefined();
    expect(
      readProxy({
        HTTPS_PROXY: "http://p.test:3128",
        https_proxy: "http://other.test:1",
        no_proxy: "localhost",
      }),
    ).toEqual({ httpsProxy: "http://p.test:3128", noProxy: "localhost" });
    expect(readProxy({ http_proxy: "http://p.test:8080" })).toEqual({
      httpProxy: "http://p.test:8080",
    });
  });

  it("names the variable when its value is not an http(s) URL", () => {
    expect(() => readProxy({ HTTPS_PROXY: "socks5://p.test:1080" })).toThrow(/HTTPS_PROXY/);
  });
});
