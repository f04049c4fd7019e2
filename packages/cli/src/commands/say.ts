import type { Message } from "@sparkbot/core";
import { EmulatorControl } from "@sparkbot/emulator";
import { readSession, type DevSession } from "../dev/session.js";
import { openJobWatch, type JobProgress, type JobWatch } from "../lib/job-watch.js";

/** Settings of `sparkbot say`. */
export interface SayOptions {
  sessionPath: string;
  text: string;
  room: "direct" | "group";
  /** Stop after this long in all, finished or not (default 60 s). */
  timeoutMs?: number;
  /** Also stop once no new reply came for this long after the last one (default: off). */
  quietMs?: number;
  /** Print each reply as one JSON line instead of its text. */
  json?: boolean;
  /** Where replies are printed (default stdout). */
  write?: (line: string) => void;
  /** Where notes on the command's progress are printed (default stderr). */
  note?: (line: string) => void;
}

/**
 * How `say` ended: `completed` (the worker finished the command: every reply is in), `failed`
 * (its job failed for good), `quiet` (`quietMs` passed without a reply) or `timeout`.
 */
export interface SayResult {
  replies: Message[];
  ending: "completed" | "failed" | "quiet" | "timeout";
  /** One line on why, for `failed` and `timeout`. */
  detail?: string;
}

const POLL_MS = 100;
const DEFAULT_TIMEOUT_MS = 60_000;

/**
 * Sends `text` as the dev session's user into its direct or group room (mentioning the bot in
 * the group room, as Webex requires) and prints the bot's replies as they arrive. It stops as
 * soon as the command is done: the session's queue in Redis holds the job the receiver made of
 * the message, and once the worker has completed it every reply has been sent.
 */
export async function runSay(options: SayOptions): Promise<SayResult> {
  const session = readSession(options.sessionPath);
  const emulator = session.emulator;
  if (emulator === undefined) {
    throw new Error("the dev session runs against real Webex: talk to the bot in Webex instead");
  }
  const note = options.note ?? ((line: string) => process.stderr.write(`${line}\n`));
  const jobs = await openJobWatch(session.redisUrl, session.redisPrefix).catch((error: unknown) => {
    const reason = error instanceof Error ? error.message : String(error);
    throw new Error(`the dev session's ${reason}. Is \`npm run dev\` still running?`);
  });
  try {
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
    const replies = new ReplyPrinter(api, roomId, sent, emulator.bot.id, options);
    return await follow({ jobs, messageId: sent.id, replies, options, note, session });
  } finally {
    await jobs.close();
  }
}

/** What `follow` watches: the sent message's job and the room's replies. */
interface Following {
  jobs: JobWatch;
  messageId: string;
  replies: ReplyPrinter;
  options: SayOptions;
  note: (line: string) => void;
  session: DevSession;
}

/** Polls the replies and the job until the job is finished, or quiet or the deadline stop it. */
async function follow({
  jobs,
  messageId,
  replies,
  options,
  note,
  session,
}: Following): Promise<SayResult> {
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const deadline = Date.now() + timeoutMs;
  let progress: JobProgress = { state: "absent" };
  let attemptsNoted = 0;
  for (;;) {
    progress = await jobs.progress(messageId);
    // Read the replies after the state: a finished job's replies are all in the room by then.
    await replies.printNew();
    if (progress.state === "completed") return { replies: replies.all, ending: "completed" };
    if (progress.state === "failed") {
      const detail = `the command's job failed: ${progress.failedReason}`;
      return { replies: replies.all, ending: "failed", detail };
    }
    if (progress.state === "pending" && progress.attemptsMade > attemptsNoted) {
      attemptsNoted = progress.attemptsMade;
      note(`sparkbot say: attempt ${attemptsNoted} failed (${progress.failedReason}), retrying`);
    }
    const quiet = options.quietMs !== undefined && replies.all.length > 0;
    if (quiet && Date.now() - replies.lastArrival >= options.quietMs!) {
      return { replies: replies.all, ending: "quiet" };
    }
    if (Date.now() >= deadline) {
      return {
        replies: replies.all,
        ending: "timeout",
        detail: timeoutDetail(progress, timeoutMs, session),
      };
    }
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
}

function timeoutDetail(progress: JobProgress, timeoutMs: number, session: DevSession): string {
  if (progress.state === "absent") {
    return `no job was queued for the message within ${timeoutMs} ms: the receiver (${session.receiverUrl}) did not take the emulator's webhook; see its lines in the \`npm run dev\` output`;
  }
  return `the command was still running after ${timeoutMs} ms (--timeout-ms)`;
}

/** Prints the bot's replies that came after the sent message, each once, oldest first. */
class ReplyPrinter {
  readonly all: Message[] = [];
  lastArrival = Date.now();
  private readonly seen = new Set<string>();
  private readonly write: (line: string) => void;

  constructor(
    private readonly api: EmulatorControl,
    private readonly roomId: string,
    private readonly sent: Message,
    private readonly botId: string,
    private readonly options: SayOptions,
  ) {
    this.write = options.write ?? ((line: string) => process.stdout.write(`${line}\n`));
  }

  async printNew(): Promise<void> {
    const messages = await this.api.roomMessages(this.roomId);
    const index = messages.findIndex((message) => message.id === this.sent.id);
    const after = index >= 0 ? messages.slice(index + 1) : [];
    for (const message of after) {
      if (message.personId !== this.botId || this.seen.has(message.id)) continue;
      this.seen.add(message.id);
      this.all.push(message);
      this.lastArrival = Date.now();
      this.write(this.options.json ? JSON.stringify(message) : replyText(message));
    }
  }
}

/** A reply as text: its markdown (or text), with a note for a card or a file it carries. */
function replyText(message: Message): string {
  const text = message.markdown ?? message.text ?? "";
  const cards = message.attachments?.length ?? 0;
  const files = message.files?.length ?? 0;
  const notes = [
    ...(cards > 0 ? ["[card: see it on the chat page, or with --json]"] : []),
    ...(files > 0 ? [`[file: ${message.files?.join(" ") ?? ""}]`] : []),
  ];
  return [text, ...notes].filter((part) => part !== "").join(" ");
}
