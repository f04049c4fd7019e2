import type { NormalizedPolicy } from "../access/policy.js";
import type { CombinedPolicy } from "../access/policy.js";
import type { AccessDenial } from "../access/rules.js";
import type { Logger, LogFields } from "../logging/logger.js";
import type { ActionRegistry } from "./action-registry.js";
import type { MembershipHandlers } from "./membership-handlers.js";
import { composeMiddleware, type DefaultState, type Middleware } from "./middleware.js";
import type { CommandRegistry } from "./registry.js";
import type { ReplyPlacement, ReplyValue } from "./replies.js";
import type { ReplyTexts } from "./texts.js";
import type { CommandOutcome } from "./types.js";

/** What a bot hands each run: its handlers, middleware, texts and own access policy. */
export interface BotSetup<S extends object = DefaultState> {
  readonly registry: CommandRegistry<S>;
  readonly actions: ActionRegistry<S>;
  readonly memberships: MembershipHandlers<S>;
  /** The key of the submitted inputs whose value names the card action (default `action`). */
  readonly actionKey: string;
  readonly middleware: readonly Middleware<S>[];
  readonly texts: ReplyTexts;
  readonly policy: NormalizedPolicy;
}

/** What the runner gives a plan to start its run with. */
export interface RunTools {
  /** Sends a reply (checked, placed, split), resolving once it has been taken for delivery. */
  readonly reply: (value: ReplyValue) => Promise<void>;
  /** Runs a handler, sending each value it produces as a reply; sets the outcome `ok`. */
  readonly drive: (invoke: () => unknown) => Promise<void>;
  readonly signal: AbortSignal;
  /** The run's logger (with the plan's `logFields`). */
  readonly logger: Logger;
  /** The bot's and the deployment's access policies, combined. */
  readonly policy: CombinedPolicy;
  readonly outcome: () => CommandOutcome | undefined;
  readonly setOutcome: (outcome: CommandOutcome) => void;
  /** Records an access refusal (outcome `denied`, or `ignored` for bots). */
  readonly denied: (denial: AccessDenial) => void;
}

/** A started run: the middleware context, the chain (gate first) and its end. */
export interface StartedRun<C> {
  readonly ctx: C;
  readonly middleware: readonly ((ctx: C, next: () => Promise<void>) => unknown)[];
  /** The end of the chain: the handler, or the bot's own answer. */
  terminal(): Promise<void>;
}

/** Runs a started run's chain around its end. */
export function runChain<C>(started: StartedRun<C>): Promise<void> {
  return composeMiddleware(started.middleware, () => started.terminal())(started.ctx);
}

/** How one kind of input (message, card action, membership event) is run. */
export interface RunPlan {
  /** The name the run is reported under. */
  readonly name: string;
  /** Fields of every log line of the run. */
  readonly logFields: LogFields;
  /** Set when nothing runs at all (the bot's own message, an event without a handler). */
  readonly skip?: CommandOutcome;
  readonly placement: ReplyPlacement;
  /** False when failures are only logged, never answered (membership events). */
  readonly answerFailures: boolean;
  /** Starts the run: its middleware chain around its end (see `runChain`). */
  start(tools: RunTools): Promise<void>;
}
