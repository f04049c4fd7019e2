import type { LazyPerson } from "../bot/context.js";
import type { ReplyValue } from "../bot/replies.js";
import { fillText, type ReplyTexts } from "../bot/texts.js";
import type { Logger } from "../logging/logger.js";
import type { WebexClient } from "../webex/client.js";
import type { RoomType } from "../webex/types.js";
import { isBotEmail, refusal, type AccessSubject } from "./check.js";
import type { CombinedPolicy } from "./policy.js";
import type { AccessDenial, AccessDenialReason, NormalizedRule } from "./rules.js";

/** A command as `isAllowed` needs it: its names and its own rule. */
export interface RuledCommand {
  readonly names: readonly string[];
  readonly allow: NormalizedRule | undefined;
}

/** Who and where the gate checks. */
export interface GateSubject {
  readonly personId: string;
  /** The person's email when the event carries it (a message does, a card action does not). */
  readonly personEmail: string | undefined;
  readonly roomId: string;
  readonly roomType: RoomType | undefined;
}

/** What the access gate of one run needs. */
export interface AccessGateOptions {
  readonly policy: CombinedPolicy;
  /** Finds a command by name, for `isAllowed`. */
  readonly find: (name: string) => RuledCommand | undefined;
  /** The name the run is reported under (the denial's `command`). */
  readonly name: string;
  /** The rules of the handler about to run, beyond the bot-wide ones (none: `[]`). */
  readonly handlerRules: () => NormalizedRule[];
  readonly subject: GateSubject;
  /**
   * `people`: a request by someone (a message, a card action): every rule applies and other
   * bots are ignored. `rooms`: an event nobody asked for (a membership event): only the rules on
   * rooms apply, and a refusal is never answered.
   */
  readonly checks: "people" | "rooms";
  readonly webex: WebexClient;
  readonly caller: LazyPerson;
  readonly texts: ReplyTexts;
  readonly logger: Logger;
  /** Records the refusal (the run's outcome, the caller's hook). */
  readonly onDenied: (denial: AccessDenial) => void;
}

/** The built-in access control of one run: the first middleware, and `isAllowed`. */
export interface AccessGate {
  /** Refuses the run (no handler runs), or calls `next()`. */
  middleware(
    ctx: { reply(value: ReplyValue): Promise<void> },
    next: () => Promise<void>,
  ): Promise<void>;
  /** True when the caller passes the rules of the command named `name`; false on lookup errors. */
  isAllowed(name: string): Promise<boolean>;
}

/**
 * The access gate, in this order: other bots are ignored (unless allowed), then the rules for
 * every run apply, then the handler's own. The caller's identity is looked up only when a rule
 * needs it. A lookup that fails refuses with the `accessUnverified` reply: a Webex failure
 * neither lets a run through nor crashes it.
 */
export function createAccessGate(options: AccessGateOptions): AccessGate {
  const { policy, subject: who } = options;
  const people = options.checks === "people";
  const subject = accessSubject(options);
  const fromBot = (): boolean =>
    people &&
    !policy.allowBots &&
    (isBotEmail(who.personEmail ?? "") || options.caller.peek()?.type === "bot");
  const onlyRooms = (rules: NormalizedRule[]): NormalizedRule[] =>
    people
      ? rules
      : rules.map((rule) => ({ ...rule, emails: new Set(), emailDomains: [], orgIds: [] }));

  const deny = async (
    ctx: { reply(value: ReplyValue): Promise<void> },
    reason: AccessDenialReason,
    rule: AccessDenial["rule"],
    error?: unknown,
  ): Promise<void> => {
    const replied =
      people &&
      (reason === "lookup_failed" || (reason !== "from_bot" && policy.denied === "reply"));
    const denial: AccessDenial = {
      command: options.name,
      reason,
      rule,
      personId: who.personId,
      personEmail: who.personEmail ?? "",
      roomId: who.roomId,
      replied,
    };
    logDenial(options.logger, denial, error);
    options.onDenied(denial);
    if (!replied) return;
    const template =
      reason === "lookup_failed"
        ? options.texts.accessUnverified
        : (policy.deniedText ?? options.texts.accessDenied);
    await ctx.reply(fillText(template, { command: options.name }));
  };

  return {
    async middleware(ctx, next) {
      if (fromBot()) return deny(ctx, "from_bot", "bot");
      let stage: AccessDenial["rule"] = "bot";
      let refused: "room" | "person" | undefined;
      try {
        refused = await refusal(onlyRooms(policy.botRules), subject);
        if (refused === undefined) {
          stage = "command";
          refused = await refusal(onlyRooms(options.handlerRules()), subject);
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
function accessSubject(options: AccessGateOptions): AccessSubject {
  const { subject, webex, caller } = options;
  let roomType: Promise<RoomType> | undefined;
  return {
    roomId: subject.roomId,
    roomType() {
      if (subject.roomType !== undefined) return Promise.resolve(subject.roomType);
      roomType ??= webex.rooms.get(subject.roomId).then((room) => room.type);
      return roomType;
    },
    async email() {
      const email = subject.personEmail?.trim() || (await caller.get()).emails[0] || "";
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
