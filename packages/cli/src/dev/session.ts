import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";

/** What `sparkbot dev` writes for the other commands (`say`, `webhooks`) to find. */
export interface DevSession {
  /** "emulator" for the local Webex, "webex" when running against real Webex. */
  mode: "emulator" | "webex";
  /** How events reach the receiver (absent in sessions of older versions: webhook). */
  ingress?: "webhook" | "websocket";
  startedAt: string;
  /** The dev command's own pid. */
  pid: number;
  redisUrl: string;
  redisSource: "env" | "local" | "private";
  /** REDIS_PREFIX the services use. */
  redisPrefix: string;
  receiverUrl: string;
  workerUrl: string;
  emulator?: {
    url: string;
    /** REST base URL the services use (`<url>/v1`). */
    apiUrl: string;
    chatUrl: string;
    bot: { id: string; displayName: string; email: string; token: string };
    user: { id: string; displayName: string; email: string; token: string };
    rooms: { direct: string; group: string };
  };
  /** The bot module the worker runs (absolute path or package name); unset: the example bot. */
  botModule?: string;
  /** Pids of the processes started, by name. */
  pids: Record<string, number>;
}

/** Writes the session atomically (write then rename). */
export function writeSession(path: string, session: DevSession): void {
  mkdirSync(dirname(path), { recursive: true });
  const temporary = `${path}.${process.pid}.tmp`;
  writeFileSync(temporary, `${JSON.stringify(session, null, 2)}\n`, { mode: 0o600 });
  renameSync(temporary, path);
}

/** Reads the session, or throws one clear line when there is none. */
export function readSession(path: string): DevSession {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch {
    throw new Error(`no dev session at ${path}: start one with \`npm run dev\` (sparkbot dev)`);
  }
  return JSON.parse(text) as DevSession;
}

/** Removes the session file (on a clean stop). */
export function removeSession(path: string): void {
  rmSync(path, { force: true });
}
