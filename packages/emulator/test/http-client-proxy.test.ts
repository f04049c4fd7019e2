import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { WebexNetworkError, createHttpWebexClient, readProxy } from "@sparkbot/core";
import { startConnectProxy, type TestProxy } from "@sparkbot/testkit";

import { EmulatorControl, startEmulator } from "../src/index.js";
import type { ControlPerson, RunningEmulator } from "../src/index.js";

/** The plain HTTP client through a real forward proxy (testkit's CONNECT proxy). */
describe("HTTP client behind a proxy", () => {
  let emulator: RunningEmulator;
  let proxy: TestProxy;
  let bot: ControlPerson;

  beforeAll(async () => {
    emulator = await startEmulator();
    proxy = await startConnectProxy();
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
    const closed = await startConnectProxy();
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
