import type { WebexClientKind } from "../config/config.js";
import type { WebexClient, WebexClientOptions } from "./client.js";
import { createHttpWebexClient } from "./http-client.js";
import { createWebexClient } from "./sdk-client.js";

/**
 * Creates the Webex client of the kind a service's configuration names (`WEBEX_CLIENT`):
 * `sdk` (the default, `createWebexClient` on the `webex` SDK's plugins) or `http`
 * (`createHttpWebexClient`, plain keep-alive HTTP). Both honour the same contract.
 */
export function createWebexClientOfKind(
  kind: WebexClientKind | undefined,
  options: WebexClientOptions,
): WebexClient {
  return kind === "http" ? createHttpWebexClient(options) : createWebexClient(options);
}
