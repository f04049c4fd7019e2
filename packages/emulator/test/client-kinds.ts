import { createHttpWebexClient, createWebexClient } from "@sparkbot/core";
import type { WebexClient, WebexClientOptions } from "@sparkbot/core";

/**
 * Every implementation of core's `WebexClient`: the client tests run once per row, so that
 * each one is held to the same contract against the emulator.
 */
export const CLIENT_KINDS: {
  name: string;
  create: (options: WebexClientOptions) => WebexClient;
}[] = [
  { name: "SDK client (createWebexClient)", create: createWebexClient },
  { name: "HTTP client (createHttpWebexClient)", create: createHttpWebexClient },
];
