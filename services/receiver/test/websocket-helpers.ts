import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadReceiverConfig, type ReceiverConfig } from "@sparkbot/core";
import type { RunningEmulator } from "@sparkbot/emulator";
import { TEST_REDIS_URL, freePort } from "@sparkbot/testkit";

/** Tight timing so that reconnects and takeovers happen in test time. */
export const FAST_WEBSOCKET = {
  pingIntervalMs: 1_000,
  pongTimeoutMs: 3_000,
  backoffMs: 100,
  maxBackoffMs: 2_000,
  leasePollMs: 200,
} as const;

/** A receiver configuration against the emulator: webhook mode with `webhookUrl`, else websocket. */
export async function receiverConfig(
  emulator: RunningEmulator,
  token: string,
  prefix: string,
  webhookUrl?: (port: number) => string,
  extra: Record<string, string> = {},
): Promise<ReceiverConfig> {
  const port = await freePort();
  return loadReceiverConfig({
    WEBEX_ACCESS_TOKEN: token,
    WEBEX_API_URL: emulator.apiUrl,
    WEBEX_CLIENT: "http",
    REDIS_URL: TEST_REDIS_URL,
    REDIS_PREFIX: prefix,
    RECEIVER_HOST: "127.0.0.1",
    RECEIVER_PORT: String(port),
    JOURNAL_DIR: await mkdtemp(join(tmpdir(), "sparkbot-ws-journal-")),
    WEBSOCKET_LEASE_MS: "3000",
    ...(webhookUrl ? { WEBHOOK_URL: webhookUrl(port) } : { INGRESS: "websocket" }),
    ...extra,
  });
}
