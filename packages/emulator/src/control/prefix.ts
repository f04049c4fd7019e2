/** Prefix of every control route. */
export const CONTROL_PREFIX = "/_emulator";
