const PINO_LEVELS: Record<number, string> = {
  10: "trace",
  20: "debug",
  30: "info",
  40: "warn",
  50: "error",
  60: "fatal",
};
const HIDDEN = new Set(["level", "time", "pid", "hostname", "name", "msg", "v"]);
const COLORS = ["\x1b[36m", "\x1b[35m", "\x1b[33m", "\x1b[32m", "\x1b[34m", "\x1b[31m"];

function levelName(level: unknown): string {
  if (typeof level === "number") return PINO_LEVELS[level] ?? String(level);
  return typeof level === "string" ? level : "";
}

function fieldText(value: unknown): string {
  return typeof value === "string" ? value : JSON.stringify(value);
}

/**
 * Makes one line of a child's output readable: a pino JSON line becomes
 * `level message key=value ...`; anything else is returned unchanged.
 */
export function prettyLogLine(line: string): string {
  if (!line.startsWith("{")) return line;
  let record: unknown;
  try {
    record = JSON.parse(line);
  } catch {
    return line;
  }
  if (typeof record !== "object" || record === null || Array.isArray(record)) return line;
  const fields = record as Record<string, unknown>;
  const extra = Object.entries(fields)
    .filter(([key]) => !HIDDEN.has(key))
    .map(([key, value]) => `${key}=${fieldText(value)}`);
  const level = levelName(fields["level"]).padEnd(5);
  const message = typeof fields["msg"] === "string" ? fields["msg"] : "";
  return [level, message, ...extra].filter((part) => part.trim() !== "").join(" ");
}

/** Prefixes a line with the child's name, padded and colored when `color` is on. */
export function prefixLine(name: string, index: number, line: string, color: boolean): string {
  const label = `[${name}]`.padEnd(11);
  if (!color) return `${label} ${line}`;
  const tint = COLORS[index % COLORS.length] ?? "";
  return `${tint}${label}\x1b[0m ${line}`;
}
