import type { CommonConfig, WebexClientKind } from "../config/config.js";
import type { WebexClient, WebexClientOptions } from "./client.js";
import { createHttpWebexClient } from "./http-client.js";
import { createWebexClient } from "./sdk-client.js";

/**
 * Creates the Webex client of the kind a service's configuration names (`WEBEX_CLIENT`):
 * `http` (the default, `createHttpWebexClient`, plain keep-alive HTTP) or `sdk`
 * (`createWebexClient` on the `webex` SDK's plugins). Both honour the same contract. The SDK's
 * modules are loaded only when an SDK client is created (see `loadWebexSdk`), so a process on
 * the plain client never loads them.
 */
export function createWebexClientOfKind(
  kind: WebexClientKind | undefined,
  options: WebexClientOptions,
): WebexClient {
  return kind === "sdk" ? createWebexClient(options) : createHttpWebexClient(options);
}

/** The client options a service's configuration gives: token, API URL, timeout, proxy. */
export function webexClientOptionsFor(config: CommonConfig): WebexClientOptions {
  return {
    accessToken: config.accessToken,
    apiUrl: config.webexApiUrl,
    ...(config.webexTimeoutMs !== undefined ? { timeoutMs: config.webexTimeoutMs } : {}),
    ...(config.webexProxy !== undefined ? { proxy: config.webexProxy } : {}),
  };
}
