import { readSession } from "../dev/session.js";
import type { Message } from "@sparkbot/core";
import { EmulatorControl } from "@sparkbot/emulator";

/** Settings of `sparkbot say`. */
export interface SayOptions {
  sessionPath: string;
  text: string;
  room: "direct" | "group";
  /** Stop once no new reply came for this long after the last one (default 5 s). */
  quietMs?: number;
  /** Stop after this long in all (default 60 s). */
  timeoutMs?: number;
  /** Print each reply as one JSON line instead of its text. */
  json?: boolean;
  /** Where replies are printed (default stdout). */
  write?: (line: string) => void;
}

const POLL_MS = 100;

/**
 * Sends `text` as the dev session's user into its direct or group room (mentioning the bot in
 * the group room, as Webex requires) and prints the bot's replies as they arrive. Resolves with
 * the replies seen; exit code 1 is the caller's to choose when there were none.
 */
export async function runSay(options: SayOptions): Promise<Message[]> {
  const session = readSession(options.sessionPath);
  const emulator = session.emulator;
  if (emulator === undefined) {
    throw new Error("the dev session runs against real Webex: talk to the bot in Webex instead");
  }
  const write = options.write ?? ((line: string) => process.stdout.write(`${line}\n`));
  const api = new EmulatorControl(emulator.url);
  const roomId = emulator.rooms[options.room];
  const sent = await api
    .sendMessage({
      personId: emulator.user.id,
      roomId,
      text: options.text,
      mentions: options.room === "group" ? [emulator.bot.id] : undefined,
    })
    .catch((error: unknown) => {
      const reason = error instanceof Error ? error.message : String(error);
      throw new Error(
        `the emulator of the dev session (${emulator.url}) did not take the message: ${reason}. Is \`npm run dev\` still running?`,
      );
    });
  const replies: Message[] = [];
  const seen = new Set<string>();
  const quietMs = options.quietMs ?? 5_000;
  const deadline = Date.now() + (options.timeoutMs ?? 60_000);
  let lastArrival = Date.now();
  const waitingForFirst = () => replies.length === 0;
  while (Date.now() < deadline && (waitingForFirst() || Date.now() - lastArrival < quietMs)) {
    for (const message of newReplies(await api.roomMessages(roomId), sent, emulator.bot.id)) {
      if (seen.has(message.id)) continue;
      seen.add(message.id);
      replies.push(message);
      lastArrival = Date.now();
      write(options.json ? JSON.stringify(message) : replyText(message));
    }
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
  return replies;
}

/** The bot's messages that came after `sent` in the room's list (oldest first). */
function newReplies(messages: Message[], sent: Message, botId: string): Message[] {
  const index = messages.findIndex((message) => message.id === sent.id);
  const after = index >= 0 ? messages.slice(index + 1) : [];
  return after.filter((message) => message.personId === botId);
}

function replyText(message: Message): string {
  return message.markdown ?? message.text ?? "";
}
