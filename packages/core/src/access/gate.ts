import type { LazyPerson } from "../bot/context.js";
import type { RegisteredCommand } from "../bot/registry.js";
import type { ResolvedDispatch } from "../bot/dispatch.js";
import type { MessageMiddlewareContext } from "../bot/middleware.js";
import { fillText, type ReplyTexts } from "../bot/texts.js";
import type { Logger } from "../logging/logger.js";
import type { WebexClient } from "../webex/client.js";
import type { Message, RoomType } from "../webex/types.js";
import { isBotEmail, refusal, type AccessSubject } from "./check.js";
import type { CombinedPolicy } from "./policy.js";
import type { AccessDenial, AccessDenialReason } from "./rules.js";

/** What the access gate of one run needs. */
export interface AccessGateOptions<S extends object> {
  readonly policy: CombinedPolicy;
  readonly find: (name: string) => RegisteredCommand<S> | undefined;
  readonly dispatch: ResolvedDispatch<S>;
  readonly message: Message;
  readonly webex: WebexClient;
  readonly caller: LazyPerson;
  readonly texts: ReplyTexts;
  readonly logger: Logger;
  /** Records the refusal (the run's outcome, the caller's hook). */
  readonly onDenied: (denial: AccessDenial) => void;
}

/** The built-in access control of one run: the first middleware, and `isAllowed`. */
export interface AccessGate<S extends object> {
  /** Refuses the message (no handler runs), or calls `next()`. */
  middleware(ctx: MessageMiddlewareContext<S>, next: () => Promise<void>): Promise<void>;
  /** True when the caller passes the rules of the command named `name`; false on lookup errors. */
  isAllowed(name: string): Promise<boolean>;
}

/**
 * The access gate, in this order: messages of other bots are ignored (unless allowed), then the
 * rules for every message apply, then the dispatched command's own. The caller's identity is
 * looked up only when a rule needs it. A lookup that fails refuses the message with the
 * `accessUnverified` reply: a Webex failure neither lets a message through nor crashes the run.
 */
export function createAccessGate<S extends object>(options: AccessGateOptions<S>): AccessGate<S> {
  const { policy, dispatch, message } = options;
  const subject = accessSubject(options);
  const fromBot = (): boolean =>
    !policy.allowBots &&
    (isBotEmail(message.personEmail ?? "") || options.caller.peek()?.type === "bot");

  const deny = async (
    ctx: MessageMiddlewareContext<S>,
    reason: AccessDenialReason,
    rule: AccessDenial["rule"],
    error?: unknown,
  ): Promise<void> => {
    const replied =
      reason === "lookup_failed" || (reason !== "from_bot" && policy.denied === "reply");
    const denial: AccessDenial = {
      command: dispatch.name,
      reason,
      rule,
      personId: message.personId,
      personEmail: message.personEmail,
      roomId: message.roomId,
      replied,
    };
    logDenial(options.logger, denial, error);
    options.onDenied(denial);
    if (!replied) return;
    const template =
      reason === "lookup_failed"
        ? options.texts.accessUnverified
        : (policy.deniedText ?? options.texts.accessDenied);
    await ctx.reply(fillText(template, { command: dispatch.name }));
  };

  return {
    async middleware(ctx, next) {
      if (fromBot()) return deny(ctx, "from_bot", "bot");
      const command = dispatch.registered;
      let stage: AccessDenial["rule"] = "bot";
      let refused: "room" | "person" | undefined;
      try {
        refused = await refusal(policy.botRules, subject);
        if (refused === undefined && command !== undefined) {
          stage = "command";
          refused = await refusal(policy.commandRules(command.names, command.allow), subject);
        }
      } catch (error) {
        return deny(ctx, "lookup_failed", stage, error);
      }
      if (fromBot()) return deny(ctx, "from_bot", "bot");
      if (refused !== undefined) return deny(ctx, refused, stage);
      await next();
    },
    async isAllowed(name) {
      const command = options.find(name);
      if (command === undefined) return false;
      try {
        const rules = policy.commandRules(command.names, command.allow);
        return (await refusal(rules, subject)) === undefined;
      } catch {
        return false;
      }
    },
  };
}

/** The pieces of identity the rules read, each looked up once and only when needed. */
function accessSubject<S extends object>(options: AccessGateOptions<S>): AccessSubject {
  const { message, webex, caller } = options;
  let roomType: Promise<RoomType> | undefined;
  return {
    roomId: message.roomId,
    roomType() {
      if (message.roomType !== undefined) return Promise.resolve(message.roomType);
      roomType ??= webex.rooms.get(message.roomId).then((room) => room.type);
      return roomType;
    },
    async email() {
      const email = message.personEmail?.trim() || (await caller.get()).emails[0] || "";
      return email.toLowerCase();
    },
    person: () => caller.get(),
  };
}

/** One line per refusal: bots at debug (they may be chatty), lookup failures as warnings. */
function logDenial(logger: Logger, denial: AccessDenial, error: unknown): void {
  const fields = { ...denial };
  if (denial.reason === "from_bot") logger.debug("access denied", fields);
  else if (denial.reason === "lookup_failed") {
    const err = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    logger.warn("access denied", { ...fields, err });
  } else logger.info("access denied", fields);
}
