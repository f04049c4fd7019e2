import {
  SparkBotError,
  WebexApiError,
  WebexNetworkError,
  WebexTimeoutError,
} from "../errors/errors.js";

/**
 * Turning what the `webex` SDK throws into core's error hierarchy, and bounding every SDK call
 * with a timeout.
 *
 * The SDK rejects HTTP failures with a `WebexHttpError` subclass carrying `statusCode`, the
 * response `headers` and the parsed `body`. A request that got no response at all (refused,
 * reset, socket timeout) is reported the same way with `statusCode: 0` and the Node error as
 * `body`. It retries neither 429 nor 5xx from hydra, so one call here is one HTTP request.
 */

/** Node error codes the `request` library uses when its own socket timeout fires. */
const TIMEOUT_CODES = new Set(["ETIMEDOUT", "ESOCKETTIMEDOUT"]);

interface HttpErrorLike {
  statusCode: number;
  body?: unknown;
  headers?: Record<string, unknown>;
  message?: string;
}

function isHttpErrorLike(error: unknown): error is HttpErrorLike {
  return (
    typeof error === "object" &&
    error !== null &&
    typeof (error as { statusCode?: unknown }).statusCode === "number"
  );
}

function asRecord(value: unknown): Record<string, unknown> | undefined {
  return typeof value === "object" && value !== null
    ? (value as Record<string, unknown>)
    : undefined;
}

function headerValue(headers: Record<string, unknown> | undefined, name: string): unknown {
  const value = headers?.[name];
  return Array.isArray(value) ? value[0] : value;
}

/**
 * Seconds to wait from a `Retry-After` header: a number of seconds, or an HTTP date (counted
 * from `now`). Returns undefined when absent or unreadable.
 */
export function parseRetryAfter(value: unknown, now: number = Date.now()): number | undefined {
  if (typeof value === "number") return Number.isFinite(value) && value >= 0 ? value : undefined;
  if (typeof value !== "string" || value.trim() === "") return undefined;
  const seconds = Number(value.trim());
  if (Number.isFinite(seconds)) return seconds >= 0 ? seconds : undefined;
  const date = Date.parse(value);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, Math.ceil((date - now) / 1000));
}

/** Webex's own words for an error: `message`, else the first `errors[].description`. */
function describeBody(body: unknown): string | undefined {
  const record = asRecord(body);
  if (!record) return typeof body === "string" && body !== "" ? body : undefined;
  if (typeof record["message"] === "string") return record["message"];
  const first = Array.isArray(record["errors"]) ? asRecord(record["errors"][0]) : undefined;
  return typeof first?.["description"] === "string" ? first["description"] : undefined;
}

function trackingIdOf(error: HttpErrorLike): string | undefined {
  const fromBody = asRecord(error.body)?.["trackingId"];
  if (typeof fromBody === "string") return fromBody;
  const fromHeader = headerValue(error.headers, "trackingid");
  return typeof fromHeader === "string" ? fromHeader : undefined;
}

/**
 * A small stand-in for the SDK's error, kept as `cause`: the SDK's own error object references
 * the whole SDK instance and the request options, bearer token included, which must not reach
 * logs. Its message (method, URL, the SDK's tracking id) is kept.
 */
function leanCause(error: unknown): Error {
  if (!(error instanceof Error)) return new Error(String(error));
  const lean = new Error(error.message);
  lean.name = error.name;
  const code = (error as { code?: unknown }).code;
  return typeof code === "string" ? Object.assign(lean, { code }) : lean;
}

function networkErrorOf(error: HttpErrorLike, what: string): SparkBotError {
  const cause = leanCause(error.body instanceof Error ? error.body : error);
  const code = asRecord(error.body)?.["code"];
  const detail = cause.message !== "" ? cause.message : "no response";
  if (typeof code === "string" && TIMEOUT_CODES.has(code)) {
    return new WebexTimeoutError(`${what}: no answer from Webex in time (${code})`);
  }
  return new WebexNetworkError(`${what}: Webex could not be reached: ${detail}`, { cause });
}

/**
 * Maps anything the SDK rejected with to `WebexApiError` (an HTTP status), `WebexTimeoutError`
 * or `WebexNetworkError` (no response, or an SDK failure before any request was sent). Errors
 * that already belong to core pass through unchanged. `what` names the call, e.g.
 * `"messages.create"`, and starts the message.
 */
export function toWebexError(error: unknown, what: string): SparkBotError {
  if (error instanceof SparkBotError) return error;
  if (!isHttpErrorLike(error)) {
    const detail = error instanceof Error ? error.message : String(error);
    return new WebexNetworkError(`${what}: the Webex SDK failed: ${detail}`, {
      cause: leanCause(error),
    });
  }
  if (error.statusCode === 0) return networkErrorOf(error, what);
  const status = error.statusCode;
  const detail = describeBody(error.body) ?? "no details";
  return new WebexApiError(status, `${what}: Webex answered ${status}: ${detail}`, {
    retryAfter: parseRetryAfter(headerValue(error.headers, "retry-after")),
    trackingId: trackingIdOf(error),
    cause: leanCause(error),
  });
}

/**
 * Runs one SDK call and settles within `timeoutMs`: with its value, with its error mapped by
 * `toWebexError`, or with a `WebexTimeoutError`. A call that throws synchronously is mapped too.
 */
export function callWithTimeout<T>(
  what: string,
  timeoutMs: number,
  run: () => Promise<T>,
): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => {
      reject(new WebexTimeoutError(`${what}: no answer from Webex within ${timeoutMs} ms`));
    }, timeoutMs);
    let pending: Promise<T>;
    try {
      pending = run();
    } catch (error) {
      pending = Promise.reject(error);
    }
    pending.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(toWebexError(error, what));
      },
    );
  });
}
