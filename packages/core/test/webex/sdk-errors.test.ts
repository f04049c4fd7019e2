import { createRequire } from "node:module";
import { inspect } from "node:util";
import { describe, expect, it } from "vitest";

import {
  SparkBotError,
  WebexApiError,
  WebexNetworkError,
  WebexTimeoutError,
} from "../../src/errors/errors.js";
import { callWithTimeout, parseRetryAfter, toWebexError } from "../../src/webex/sdk-errors.js";
import { loadWebexSdk } from "../../src/webex/sdk-loader.js";

interface SdkResponseLike {
  statusCode: number;
  headers: Record<string, string>;
  body: unknown;
  options: { method: string; uri: string; headers: Record<string, string> };
}
type HttpErrorClass = new (response: SdkResponseLike) => Error;
interface WebexHttpErrorStatic {
  select(status: number): HttpErrorClass;
}

// The SDK's real error classes, as its HttpStatusInterceptor builds them from a response.
loadWebexSdk();
const sdk = createRequire(import.meta.url)("@webex/webex-core") as {
  WebexHttpError: WebexHttpErrorStatic;
};

function sdkHttpError(statusCode: number, headers: Record<string, string>, body: unknown): Error {
  const ErrorClass = sdk.WebexHttpError.select(statusCode);
  const options = {
    method: "GET",
    uri: "http://x/v1/y",
    headers: { trackingid: "sdk_1", authorization: "Bearer SECRET_TOKEN" },
  };
  return new ErrorClass({ statusCode, headers, body, options });
}

describe("toWebexError", () => {
  it("maps a 429 with Retry-After, the body's message and trackingId", () => {
    const body = { message: "Too many requests", errors: [], trackingId: "ROUTER_A" };
    const error = toWebexError(sdkHttpError(429, { "retry-after": "7" }, body), "messages.create");
    expect(error).toBeInstanceOf(WebexApiError);
    const apiError = error as WebexApiError;
    expect(apiError.status).toBe(429);
    expect(apiError.retryAfter).toBe(7);
    expect(apiError.trackingId).toBe("ROUTER_A");
    expect(apiError.retryable).toBe(true);
    expect(apiError.code).toBe("WEBEX_API");
    expect(apiError.message).toBe("messages.create: Webex answered 429: Too many requests");
  });

  it("keeps neither the SDK instance nor the bearer token in the error or its cause", () => {
    const error = toWebexError(sdkHttpError(500, {}, { message: "boom" }), "people.me");
    const shown = inspect(error, { depth: 20, showHidden: true });
    expect(shown).not.toContain("SECRET_TOKEN");
    expect(error.cause).toBeInstanceOf(Error);
    expect((error.cause as Error).message).toContain("boom");
  });

  it("falls back to errors[0].description and the trackingid header", () => {
    const body = { errors: [{ description: "Room not found" }] };
    const error = toWebexError(sdkHttpError(404, { trackingid: "HDR_1" }, body), "rooms.get");
    expect(error).toMatchObject({ status: 404, trackingId: "HDR_1", retryAfter: undefined });
    expect(error.message).toContain("Room not found");
    expect((error as WebexApiError).retryable).toBe(false);
  });

  it("maps a 500 to a retryable WebexApiError", () => {
    const error = toWebexError(sdkHttpError(500, {}, { message: "boom" }), "people.me");
    expect(error).toBeInstanceOf(WebexApiError);
    expect((error as WebexApiError).retryable).toBe(true);
  });

  it("maps a response-less failure (statusCode 0) to WebexNetworkError", () => {
    const reset = Object.assign(new Error("socket hang up"), { code: "ECONNRESET" });
    const error = toWebexError(sdkHttpError(0, {}, reset), "messages.get");
    expect(error).toBeInstanceOf(WebexNetworkError);
    expect(error.message).toContain("socket hang up");
    expect(error.cause).toMatchObject({ message: "socket hang up", code: "ECONNRESET" });
  });

  it("maps the HTTP library's own socket timeout to WebexTimeoutError", () => {
    const timedOut = Object.assign(new Error("ESOCKETTIMEDOUT"), { code: "ESOCKETTIMEDOUT" });
    expect(toWebexError(sdkHttpError(0, {}, timedOut), "x")).toBeInstanceOf(WebexTimeoutError);
  });

  it("maps a plain SDK error to WebexNetworkError and passes core errors through", () => {
    const plain = toWebexError(new Error("service-interceptor: 'hydra' is not known"), "x");
    expect(plain).toBeInstanceOf(WebexNetworkError);
    const own = new WebexTimeoutError("late");
    expect(toWebexError(own, "x")).toBe(own);
    expect(toWebexError("weird", "x")).toBeInstanceOf(SparkBotError);
  });
});

describe("parseRetryAfter", () => {
  it("reads seconds and HTTP dates and rejects garbage", () => {
    expect(parseRetryAfter("12")).toBe(12);
    expect(parseRetryAfter(3)).toBe(3);
    const now = Date.parse("2026-01-01T00:00:00Z");
    expect(parseRetryAfter("Thu, 01 Jan 2026 00:00:30 GMT", now)).toBe(30);
    expect(parseRetryAfter("soon")).toBeUndefined();
    expect(parseRetryAfter("-1")).toBeUndefined();
    expect(parseRetryAfter(undefined)).toBeUndefined();
  });
});

describe("callWithTimeout", () => {
  it("rejects with WebexTimeoutError when the call never settles", async () => {
    // The call never settles: only the timeout can end the wait.
    const never = new Promise<never>(() => undefined);
    await expect(callWithTimeout("people.get", 50, () => never)).rejects.toBeInstanceOf(
      WebexTimeoutError,
    );
  });

  it("resolves with the value and maps synchronous throws", async () => {
    await expect(callWithTimeout("x", 1000, () => Promise.resolve(5))).resolves.toBe(5);
    const throwing = (): Promise<number> => {
      throw new Error("sync");
    };
    await expect(callWithTimeout("x", 1000, throwing)).rejects.toBeInstanceOf(WebexNetworkError);
  });
});
