import { DEFAULT_WEBEX_API_URL } from "../config/config.js";
import type { SdkConfig } from "./sdk-loader.js";

/** Milliseconds before a Webex call is abandoned, the default `timeoutMs`. */
export const DEFAULT_WEBEX_TIMEOUT_MS = 15_000;

/** The levels `WEBEX_LOG_LEVEL` accepts (the Webex SDK's own logger; any other value means `silent`). */
export const WEBEX_SDK_LOG_LEVELS: readonly string[] = [
  "silent",
  "error",
  "warn",
  "log",
  "info",
  "debug",
  "trace",
];

/**
 * The SDK's log level: `WEBEX_LOG_LEVEL` when it names a level, else `silent`. Setting it in the
 * config matters: the SDK otherwise logs at `trace` whenever `NODE_ENV=test`.
 */
export function sdkLogLevel(env: NodeJS.ProcessEnv = process.env): string {
  const level = env["WEBEX_LOG_LEVEL"];
  return level !== undefined && WEBEX_SDK_LOG_LEVELS.includes(level) ? level : "silent";
}

/**
 * Where the SDK fetches its service catalog (`<u2c>/limited/catalog`, `<u2c>/catalog`) after
 * start. For Webex itself (or when `U2C_SERVICE_URL` is set) the SDK's own default stands; for
 * any other API URL (the emulator) it is the same server, `/v1` swapped for `/u2c`.
 */
export function u2cUrlFor(
  apiUrl: string,
  env: NodeJS.ProcessEnv = process.env,
): string | undefined {
  if (env["U2C_SERVICE_URL"] !== undefined && env["U2C_SERVICE_URL"] !== "") return undefined;
  if (new URL(apiUrl).hostname === new URL(DEFAULT_WEBEX_API_URL).hostname) return undefined;
  return `${apiUrl.replace(/\/v1$/, "")}/u2c`;
}

/**
 * Per-instance SDK configuration. `services.override.hydra` outranks every catalog the SDK
 * collects, so each client talks to its own `apiUrl` even with several clients in one process
 * (the `HYDRA_SERVICE_URL` environment variable is read once, at import, for all of them).
 * `defaultRequestOptions.timeout` makes the HTTP library drop a socket that stays silent.
 */
export function sdkConfigFor(apiUrl: string, timeoutMs: number): SdkConfig {
  const u2c = u2cUrlFor(apiUrl);
  return {
    logger: { level: sdkLogLevel(), bufferLogLevel: "silent", historyLength: 0 },
    services: {
      discovery: u2c === undefined ? { hydra: apiUrl } : { hydra: apiUrl, u2c },
      override: { hydra: apiUrl },
    },
    defaultRequestOptions: { timeout: timeoutMs },
  };
}

/** Checks and normalises the options: absolute http(s) URL without trailing slash, timeout > 0. */
export function normaliseClientOptions(options: {
  accessToken: string;
  apiUrl?: string | undefined;
  timeoutMs?: number | undefined;
}): { accessToken: string; apiUrl: string; timeoutMs: number } {
  const accessToken = typeof options.accessToken === "string" ? options.accessToken.trim() : "";
  if (accessToken === "")
    throw new TypeError("createWebexClient: accessToken must be a non-empty string");
  const apiUrl = (options.apiUrl ?? DEFAULT_WEBEX_API_URL).replace(/\/+$/, "");
  let protocol: string;
  try {
    protocol = new URL(apiUrl).protocol;
  } catch {
    throw new TypeError(`createWebexClient: apiUrl is not a URL: ${apiUrl}`);
  }
  if (protocol !== "http:" && protocol !== "https:") {
    throw new TypeError(`createWebexClient: apiUrl must be http(s): ${apiUrl}`);
  }
  const timeoutMs = options.timeoutMs ?? DEFAULT_WEBEX_TIMEOUT_MS;
  if (!Number.isFinite(timeoutMs) || timeoutMs <= 0) {
    throw new TypeError(`createWebexClient: timeoutMs must be a positive number, got ${timeoutMs}`);
  }
  return { accessToken, apiUrl, timeoutMs };
}
