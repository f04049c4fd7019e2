import { describe, expect, it } from "vitest";

import {
  normaliseClientOptions,
  sdkConfigFor,
  sdkLogLevel,
  u2cUrlFor,
} from "../../src/webex/sdk-config.js";
import { collectPages, toSdkQuery } from "../../src/webex/sdk-client.js";
import type { SdkPage } from "../../src/webex/sdk-loader.js";

describe("SDK configuration", () => {
  it("points hydra at the client's own URL, above any catalog", () => {
    const config = sdkConfigFor("http://127.0.0.1:4000/v1", 1000);
    expect(config.services.override.hydra).toBe("http://127.0.0.1:4000/v1");
    expect(config.services.discovery.hydra).toBe("http://127.0.0.1:4000/v1");
    expect(config.defaultRequestOptions.timeout).toBe(1000);
  });

  it("fetches the u2c catalog from the emulator, but keeps Webex's own for Webex", () => {
    expect(u2cUrlFor("http://127.0.0.1:4000/v1", {})).toBe("http://127.0.0.1:4000/u2c");
    expect(u2cUrlFor("https://webexapis.com/v1", {})).toBeUndefined();
    expect(u2cUrlFor("http://h/v1", { U2C_SERVICE_URL: "http://x/u2c" })).toBeUndefined();
  });

  it("is silent unless WEBEX_LOG_LEVEL names a level, even with NODE_ENV=test", () => {
    expect(sdkLogLevel({ NODE_ENV: "test" })).toBe("silent");
    expect(sdkLogLevel({ WEBEX_LOG_LEVEL: "debug" })).toBe("debug");
    expect(sdkLogLevel({ WEBEX_LOG_LEVEL: "loud" })).toBe("silent");
  });

  it("normalises options and rejects bad ones", () => {
    expect(normaliseClientOptions({ accessToken: " t ", apiUrl: "http://h/v1/" })).toEqual({
      accessToken: "t",
      apiUrl: "http://h/v1",
      timeoutMs: 15_000,
    });
    expect(normaliseClientOptions({ accessToken: "t" }).apiUrl).toBe("https://webexapis.com/v1");
    expect(() => normaliseClientOptions({ accessToken: "" })).toThrow(TypeError);
    expect(() => normaliseClientOptions({ accessToken: "t", apiUrl: "nope" })).toThrow(/apiUrl/);
    expect(() => normaliseClientOptions({ accessToken: "t", apiUrl: "ftp://h" })).toThrow(/http/);
    expect(() => normaliseClientOptions({ accessToken: "t", timeoutMs: 0 })).toThrow(/timeoutMs/);
  });
});

describe("query and pages", () => {
  it("joins id lists with commas and drops undefined values", () => {
    expect(toSdkQuery({ id: ["a", "b"], email: undefined, max: 5 })).toEqual({ id: "a,b", max: 5 });
  });

  function pages(...chunks: number[][]): SdkPage<number> {
    const [items = [], ...rest] = chunks;
    return {
      items,
      hasNext: () => rest.length > 0,
      next: () => Promise.resolve(pages(...rest)),
    };
  }
  const direct = <T>(_what: string, run: () => Promise<T>): Promise<T> => run();

  it("follows next() to the end, or stops at the limit", async () => {
    const first = () => Promise.resolve(pages([1, 2], [3, 4], [5]));
    await expect(collectPages("x", direct, first)).resolves.toEqual([1, 2, 3, 4, 5]);
    await expect(collectPages("x", direct, first, { limit: 3 })).resolves.toEqual([1, 2, 3]);
    await expect(collectPages("x", direct, first, { limit: 2 })).resolves.toEqual([1, 2]);
  });
});
