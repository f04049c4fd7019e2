import { CombinedPolicy, normalizePolicy } from "../access/policy.js";
import type { AccessDenial } from "../access/rules.js";
import { CommandError, CommandTimeoutError } from "../errors/errors.js";
import { silentLogger, type Logger } from "../logging/logger.js";
import { planCardAction } from "./card-action-plan.js";
import { PSEUDO_COMMANDS } from "./dispatch.js";
import { driveHandler, raceAbort } from "./drive.js";
import { planMembership } from "./membership-plan.js";
import { planMessage } from "./message-plan.js";
import type { DefaultState } from "./middleware.js";
import { ReplyChannel } from "./reply-channel.js";
import { toReplies, type Reply, type ReplyValue } from "./replies.js";
import type { BotSetup, RunPlan, RunTools } from "./run-plan.js";
import { fillText } from "./texts.js";
import type { BotInput, CommandOutcome, CommandRun } from "./types.js";

export { PSEUDO_COMMANDS };
export type { BotSetup };

const NEVER_ABORTED = new AbortController().signal;

/** One input (a message, a card action, a membership event) turned into a stream of replies. */
export class CommandRunner<S extends object = DefaultState> implements CommandRun {
  #command: string | undefined;
  #outcome: CommandOutcome | undefined;
  #denial: AccessDenial | undefined;
  #error: unknown;
  #started = false;
  readonly #setup: BotSetup<S>;
  readonly #input: BotInput;
  readonly #logger: Logger;

  constructor(setup: BotSetup<S>, input: BotInput) {
    this.#setup = setup;
    this.#input = input;
    this.#logger = input.logger ?? silentLogger;
  }

  get command(): string | undefined {
    return this.#command;
  }

  get outcome(): CommandOutcome | undefined {
    return this.#outcome;
  }

  get denial(): AccessDenial | undefined {
    return this.#denial;
  }

  get error(): unknown {
    return this.#error;
  }

  [Symbol.asyncIterator](): AsyncIterator<Reply> {
    if (this.#started) throw new Error("A CommandRun can be iterated only once.");
    this.#started = true;
    return this.#replies();
  }

  async *#replies(): AsyncGenerator<Reply, void, undefined> {
    const plan = this.#plan();
    this.#command = plan.name;
    if (plan.skip !== undefined) {
      this.#outcome = plan.skip;
      return;
    }
    const channel = new ReplyChannel<Reply>();
    this.#execute(plan, channel, this.#input.signal ?? NEVER_ABORTED).then(
      () => channel.close(),
      (error: unknown) => channel.close({ error }),
    );
    // A reader that stops early (a failed delivery) cancels the channel (its finally): the
    // handler is stopped at its next reply (see `drive`), the rest is not read.
    yield* channel.read();
  }

  #plan(): RunPlan {
    const input = this.#input;
    if (input.type === "cardAction") return planCardAction(this.#setup, input);
    if (input.type === "membership") return planMembership(this.#setup, input);
    return planMessage(this.#setup, input);
  }

  /** Runs the plan's middleware chain around its end, and turns errors into replies. */
  async #execute(plan: RunPlan, channel: ReplyChannel<Reply>, signal: AbortSignal) {
    const logger = this.#logger.child(plan.logFields);
    const { texts } = this.#setup;
    const reply = async (value: ReplyValue): Promise<void> => {
      for (const item of toReplies(value, plan.placement, texts.cardFallback)) {
        await channel.push(item);
      }
    };
    const tools: RunTools = {
      reply,
      drive: async (invoke) => {
        for await (const value of driveHandler(invoke, signal)) {
          await reply(value as ReplyValue);
          // Nobody reads any more: stop the handler (a generator's `finally` runs).
          if (channel.cancelled) throw new ReaderGone();
        }
        this.#outcome = "ok";
      },
      signal,
      logger,
      policy: this.#policy(),
      outcome: () => this.#outcome,
      setOutcome: (outcome) => (this.#outcome = outcome),
      denied: (denial) => this.#denied(denial),
    };
    let running: Promise<void>;
    try {
      running = plan.start(tools);
    } catch (error) {
      running = Promise.reject(error);
    }
    // Past an abort the chain is left behind; its later failure must not go unhandled.
    running.catch(() => undefined);
    try {
      await (signal === NEVER_ABORTED ? running : raceAbort(running, signal));
      this.#outcome ??= "intercepted";
    } catch (error) {
      const failure = signal.aborted ? signal.reason : error;
      await this.#failed(failure, signal.aborted, logger, plan.answerFailures ? reply : undefined);
    }
  }

  /**
   * Answers an error of the handler or a middleware (or only logs it, when `reply` is
   * undefined); an abort other than a timeout is rethrown.
   */
  async #failed(
    error: unknown,
    aborted: boolean,
    logger: Logger,
    reply: ((value: ReplyValue) => Promise<void>) | undefined,
  ): Promise<void> {
    const { texts } = this.#setup;
    if (error instanceof ReaderGone) throw error;
    const answer = reply ?? (() => Promise.resolve());
    if (aborted) {
      if (!hasCode(error, CommandTimeoutError, "COMMAND_TIMEOUT")) throw error;
      logger.warn("command timed out", { timeoutMs: error.timeoutMs });
      this.#outcome = "timeout";
      await answer(texts.timeout);
    } else if (hasCode(error, CommandError, "COMMAND")) {
      this.#outcome = "user_error";
      if (reply === undefined) logger.warn("handler refused", { err: error.message });
      await answer(fillText(texts.userError, { message: error.message }));
    } else {
      logger.error("command failed", { err: describeError(error) });
      this.#outcome = "error";
      this.#error = error;
      await answer(texts.internalError);
    }
  }

  /** The bot's own policy, and the one of this run (the deployment's), when given. */
  #policy(): CombinedPolicy {
    const { access } = this.#input;
    const runPolicy = access === undefined ? [] : [normalizePolicy(access, "The access option")];
    return new CombinedPolicy([this.#setup.policy, ...runPolicy]);
  }

  #denied(denial: AccessDenial): void {
    this.#denial = denial;
    this.#outcome = denial.reason === "from_bot" ? "ignored" : "denied";
    this.#input.onAccessDenied?.(denial);
  }
}

/** The reader of a run's replies stopped early: the run ends without a word. */
class ReaderGone extends Error {
  constructor() {
    super("The replies stopped being read.");
  }
}

/**
 * `instanceof`, or the same error `code`: a bot module may load another copy of core than the
 * worker, and its errors must still be recognised.
 */
function hasCode<T extends Error>(
  value: unknown,
  type: abstract new (...args: never[]) => T,
  code: string,
): value is T {
  if (value instanceof type) return true;
  return value instanceof Error && (value as { code?: unknown }).code === code;
}

/** Error fields for logs: name, code, message and stack, never the user's text. */
export function describeError(error: unknown): Record<string, unknown> {
  if (!(error instanceof Error)) return { value: String(error) };
  const code = (error as { code?: unknown }).code;
  return { name: error.name, message: error.message, code, stack: error.stack };
}
