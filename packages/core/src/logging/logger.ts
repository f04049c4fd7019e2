import { pino, destination, type Logger as PinoLogger } from "pino";
import type { LogLevel } from "../config/config.js";

/** Structured fields attached to a log line. Never put secrets or message text here. */
export type LogFields = Record<string, unknown>;

/** The logger every SparkBot part writes JSON lines through. */
export interface Logger {
  debug(message: string, fields?: LogFields): void;
  info(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  error(message: string, fields?: LogFields): void;
  child(fields: LogFields): Logger;
  /** True when `debug` lines are written (message text may then be logged). */
  readonly debugEnabled: boolean;
}

export interface LoggerOptions {
  name: string;
  level?: LogLevel;
  /** Where lines go; standard output by default. Tests pass a stream to read lines back. */
  destination?: NodeJS.WritableStream;
}

/** A JSON-lines logger (pino) with `token`, `secret` and `authorization` fields redacted. */
export function createLogger(options: LoggerOptions): Logger {
  const base = pino(
    {
      name: options.name,
      level: options.level ?? "info",
      base: { service: options.name },
      messageKey: "msg",
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      redact: {
        paths: [
          "token",
          "accessToken",
          "secret",
          "authorization",
          "*.token",
          "*.secret",
          "*.authorization",
        ],
        censor: "[redacted]",
      },
    },
    options.destination ?? destination({ dest: 1, sync: false }),
  );
  return wrap(base);
}

function wrap(instance: PinoLogger): Logger {
  return {
    debug: (message, fields) => instance.debug(fields ?? {}, message),
    info: (message, fields) => instance.info(fields ?? {}, message),
    warn: (message, fields) => instance.warn(fields ?? {}, message),
    error: (message, fields) => instance.error(fields ?? {}, message),
    child: (fields) => wrap(instance.child(fields)),
    get debugEnabled() {
      return instance.isLevelEnabled("debug");
    },
  };
}

/** A logger that writes nothing: the default for tests and the command harness. */
export const silentLogger: Logger = {
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
  child: () => silentLogger,
  debugEnabled: false,
};
