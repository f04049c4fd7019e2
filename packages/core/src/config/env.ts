import { ConfigError } from "../errors/errors.js";

/** The environment to read configuration from; `process.env` in production, a plain object in tests. */
export type Env = Readonly<Record<string, string | undefined>>;

function raw(env: Env, name: string): string | undefined {
  const value = env[name]?.trim();
  return value === undefined || value === "" ? undefined : value;
}

/** The trimmed value of `name`, or `fallback` when it is unset or blank. */
export function readString(env: Env, name: string, fallback?: string): string | undefined {
  return raw(env, name) ?? fallback;
}

/**
 * The value of the first of `names` that is set; throws `ConfigError` naming the first, with
 * `hint` on how to set it, when none is.
 */
export function requireString(
  env: Env,
  names: readonly [string, ...string[]],
  hint: string,
): string {
  for (const name of names) {
    const value = raw(env, name);
    if (value !== undefined) return value;
  }
  const [first, ...rest] = names;
  const alias = rest.length > 0 ? ` (or ${rest.join(", ")})` : "";
  throw new ConfigError(first, `${first}${alias} is not set: ${hint}`);
}

/** `name` as a whole number within `bounds`, or `fallback` when unset; else a `ConfigError`. */
export function readInt(
  env: Env,
  name: string,
  fallback: number,
  bounds: { min?: number; max?: number } = {},
): number {
  const value = raw(env, name);
  if (value === undefined) return fallback;
  if (!/^-?\d+$/.test(value)) {
    throw new ConfigError(name, `${name} must be a whole number, got "${value}"`);
  }
  const number = Number(value);
  const { min = Number.MIN_SAFE_INTEGER, max = Number.MAX_SAFE_INTEGER } = bounds;
  if (number < min || number > max) {
    throw new ConfigError(name, `${name} must be between ${min} and ${max}, got ${number}`);
  }
  return number;
}

const TRUE = new Set(["1", "true", "yes", "on"]);
const FALSE = new Set(["0", "false", "no", "off"]);

/** `name` as a boolean (1/true/yes/on, 0/false/no/off, any case), or `fallback` when unset. */
export function readBool(env: Env, name: string, fallback: boolean): boolean {
  const value = raw(env, name);
  if (value === undefined) return fallback;
  const lower = value.toLowerCase();
  if (TRUE.has(lower)) return true;
  if (FALSE.has(lower)) return false;
  throw new ConfigError(name, `${name} must be true or false, got "${value}"`);
}

/**
 * `name` (or `fallback`) as an absolute URL of one of `protocols` (e.g. `"https:"`), without
 * trailing slashes; `undefined` when both are unset. Throws `ConfigError` for anything else.
 */
export function readUrl(
  env: Env,
  name: string,
  fallback: string | undefined,
  protocols: readonly string[],
): string | undefined {
  const value = raw(env, name) ?? fallback;
  if (value === undefined) return undefined;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new ConfigError(name, `${name} must be an absolute URL, got "${value}"`);
  }
  if (!protocols.includes(url.protocol)) {
    const wanted = protocols.map((protocol) => protocol.replace(/:$/, "")).join(" or ");
    throw new ConfigError(name, `${name} must be a ${wanted} URL, got "${value}"`);
  }
  return value.replace(/\/+$/, "");
}

/** `name` as one of `choices` (case-insensitive), or `fallback` when unset. */
export function readChoice<T extends string>(
  env: Env,
  name: string,
  fallback: T,
  choices: readonly T[],
): T {
  const value = raw(env, name);
  if (value === undefined) return fallback;
  const match = choices.find((choice) => choice === value.toLowerCase());
  if (match === undefined) {
    throw new ConfigError(name, `${name} must be one of ${choices.join(", ")}, got "${value}"`);
  }
  return match;
}
