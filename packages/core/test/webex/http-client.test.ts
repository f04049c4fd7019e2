import { describe, expect, it } from "vitest";
import { ConfigError, loadWorkerConfig } from "../../src/index.js";
import { bypassesProxy, nextLink } from "../../src/webex/http-client.js";

// The HTTP client's behaviour against the emulator is held to the SDK client's contract by the
// shared table in packages/emulator/test/sdk-*.test.ts; these are its pure parts.

describe("nextLink", () => {
  it("finds the rel=next URL of a Link header", () => {
    expect(nextLink('<https://x.test/v1/messages?max=2&cursor=abc>; rel="next"')).toBe(
      "https://x.test/v1/messages?max=2&cursor=abc",
    );
    expect(nextLink('<https://x.test/a>; rel="prev", <https://x.test/b>; rel="next"')).toBe(
      "https://x.test/b",
    );
    expect(nextLink(['<https://x.test/c>; rel="next"'])).toBe("https://x.test/c");
  });

  it("is undefined without a next link", () => {
    expect(nextLink(undefined)).toBeUndefined();
    expect(nextLink('<https://x.test/a>; rel="prev"')).toBeUndefined();
  });
});

describe("WEBEX_CLIENT", () => {
  const base = { WEBEX_ACCESS_TOKEN: "t" };

  it("defaults to the plain HTTP client and accepts sdk", () => {
    expect(loadWorkerConfig(base).webexClient).toBe("http");
    expect(loadWorkerConfig({ ...base, WEBEX_CLIENT: "http" }).webexClient).toBe("http");
    expect(loadWorkerConfig({ ...base, WEBEX_CLIENT: "SDK" }).webexClient).toBe("sdk");
  });

  it("names the variable when the value is unknown", () => {
    expect(() => loadWorkerConfig({ ...base, WEBEX_CLIENT: "fetch" })).toThrow(ConfigError);
    expect(() => loadWorkerConfig({ ...base, WEBEX_CLIENT: "fetch" })).toThrow(/WEBEX_CLIENT/);
  });
});

describe("bypassesProxy (NO_PROXY)", () => {
  it("matches the host, its parent domains, * and an optional port", () => {
    const api = "https://api.example.com/v1";
    expect(bypassesProxy(api, undefined)).toBe(false);
    expect(bypassesProxy(api, "")).toBe(false);
    expect(bypassesProxy(api, "*")).toBe(true);
    expect(bypassesProxy(api, "api.example.com")).toBe(true);
    expect(bypassesProxy(api, "other.test, example.com")).toBe(true);
    expect(bypassesProxy(api, ".example.com")).toBe(true);
    expect(bypassesProxy(api, "*.example.com")).toBe(true);
    expect(bypassesProxy(api, "example.com:443")).toBe(true);
    expect(bypassesProxy(api, "example.com:8443")).toBe(false);
    expect(bypassesProxy(api, "ample.com")).toBe(false);
    expect(bypassesProxy("http://127.0.0.1:9/v1", "localhost,127.0.0.1")).toBe(true);
  });
});
