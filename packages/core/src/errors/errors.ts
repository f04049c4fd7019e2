/**
 * One error hierarchy for every SparkBot package. Each error carries a stable `code` so that
 * logs, metrics and tests can tell failures apart without matching on message text.
 */
export type SparkBotErrorCode =
  | "COMMAND_SETUP"
  | "COMMAND"
  | "COMMAND_LINE"
  | "CONFIG"
  | "JOB_PAYLOAD"
  | "WEBHOOK_SIGNATURE"
  | "WEBHOOK_EVENT"
  | "WEBEX_API"
  | "WEBEX_NETWORK"
  | "WEBEX_TIMEOUT"
  | "COMMAND_TIMEOUT"
  | "REPLY";

export class SparkBotError extends Error {
  readonly code: SparkBotErrorCode;

  constructor(code: SparkBotErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
  }
}

/** Thrown at registration when `bot.command(...)` is called with a wrong combination of arguments. */
export class CommandSetupError extends SparkBotError {
  constructor(message: string) {
    super("COMMAND_SETUP", message);
  }
}

/**
 * Thrown by a command handler to tell the user what went wrong: the user sees
 * `⚠️ Error: <message>` instead of the generic internal-error reply.
 */
export class CommandError extends SparkBotError {
  constructor(message: string, options?: { cause?: unknown }) {
    super("COMMAND", message, options);
  }
}

/** The command line could not be split (unbalanced quotes, trailing backslash). */
export class CommandLineError extends SparkBotError {
  /** Python's own words for the problem: `No closing quotation` or `No escaped character`. */
  readonly reason: string;

  constructor(reason: string) {
    super("COMMAND_LINE", `Could not split the command line: ${reason}`);
    this.reason = reason;
  }
}

/** A missing or malformed environment variable; the message names the variable. */
export class ConfigError extends SparkBotError {
  readonly variable: string;

  constructor(variable: string, message: string) {
    super("CONFIG", message);
    this.variable = variable;
  }
}

/** A queued job whose payload does not match the schema both services agree on. */
export class JobPayloadError extends SparkBotError {
  constructor(message: string) {
    super("JOB_PAYLOAD", message);
  }
}

/** A webhook envelope that does not have the shape Webex sends. */
export class WebhookEventError extends SparkBotError {
  constructor(message: string) {
    super("WEBHOOK_EVENT", message);
  }
}

/** The Webex REST API answered with an HTTP error. */
export class WebexApiError extends SparkBotError {
  /** HTTP status code. */
  readonly status: number;
  /** Seconds to wait before retrying, from a 429's `Retry-After` header. */
  readonly retryAfter: number | undefined;
  readonly trackingId: string | undefined;

  constructor(
    status: number,
    message: string,
    details: {
      retryAfter?: number | undefined;
      trackingId?: string | undefined;
      cause?: unknown;
    } = {},
  ) {
    super("WEBEX_API", message, { cause: details.cause });
    this.status = status;
    this.retryAfter = details.retryAfter;
    this.trackingId = details.trackingId;
  }

  /** 429 and 5xx are worth retrying; other 4xx are not. */
  get retryable(): boolean {
    return this.status === 429 || this.status >= 500;
  }
}

/** Webex could not be reached (connection refused, reset, DNS). Always retryable. */
export class WebexNetworkError extends SparkBotError {
  constructor(message: string, options?: { cause?: unknown }) {
    super("WEBEX_NETWORK", message, options);
  }
}

/** A Webex call did not answer within the client's timeout. Always retryable. */
export class WebexTimeoutError extends SparkBotError {
  constructor(message: string) {
    super("WEBEX_TIMEOUT", message);
  }
}

/** True for Webex failures that a retry may fix (network, timeout, 429, 5xx). */
export function isRetryableWebexError(error: unknown): boolean {
  if (error instanceof WebexApiError) return error.retryable;
  return error instanceof WebexNetworkError || error instanceof WebexTimeoutError;
}

/**
 * The reason given to a command's AbortSignal when it runs past the command timeout. Core turns
 * it into a reply telling the user the command was stopped.
 */
export class CommandTimeoutError extends SparkBotError {
  readonly timeoutMs: number;

  constructor(timeoutMs: number) {
    super("COMMAND_TIMEOUT", `The command ran longer than ${timeoutMs} ms and was stopped`);
    this.timeoutMs = timeoutMs;
  }
}

/**
 * A reply Webex would refuse, found before it is sent: a card without a version, two cards in
 * one message, a fallback text over Webex's limit, a file that is not a URL... The message says
 * what to fix. Thrown where the reply is built (the card helpers) or produced (a handler's
 * `yield`), so the run ends like any handler error: logged, and the user told.
 */
export class ReplyError extends SparkBotError {
  constructor(message: string) {
    super("REPLY", message);
  }
}
