import type { AccessDenial, AccessPolicy, AccessRule } from "../access/rules.js";
import type { AdaptiveCard } from "../cards/card-types.js";
import type { Logger } from "../logging/logger.js";
import type { WebexClient } from "../webex/client.js";
import type { AttachmentAction, Membership, Message, Person } from "../webex/types.js";
import type { WebhookEvent } from "../webex/webhook-event.js";
import type { DefaultState, Middleware } from "./middleware.js";
import type { ReplyValue } from "./replies.js";

/** What a card action handler is given: the shape of a command's context where it fits. */
export interface CardActionContext<S extends object = DefaultState> {
  /** The action's name: the value of the bot's action key (`action`) in the submitted inputs. */
  readonly name: string | undefined;
  /**
   * What was submitted: each input's value under its id (strings, as Webex clients send them),
   * and the pressed Action.Submit's `data` merged in.
   */
  readonly inputs: Readonly<Record<string, unknown>>;
  /** The attachment action as Webex returns it (`id`, `messageId`, `personId`, `inputs`, …). */
  readonly action: AttachmentAction;
  /** The card's message (the bot's), with its `attachments`. */
  readonly message: Message;
  /** The card itself (the message's first attachment), when it is an Adaptive Card. */
  readonly card: AdaptiveCard | undefined;
  /** The webhook envelope that announced the action. */
  readonly event: WebhookEvent;
  /** The room of the card; replies go there. */
  readonly roomId: string;
  /** The person who submitted the card. */
  readonly personId: string;
  /** That person as Webex knows them: fetched on first read only, then cached. */
  readonly caller: Promise<Person>;
  readonly self: Person;
  readonly webex: WebexClient;
  /** Fires on timeout or shutdown; pass it to your I/O. */
  readonly signal: AbortSignal;
  readonly logger: Logger;
  /** What middleware put there for this action. */
  readonly state: S;
  /**
   * Sends `reply` where the card was (its room, or its thread) — a reply like any other, sent
   * exactly once — then deletes the card. Cards cannot be edited in Webex: this is how one is
   * replaced. Resolves once both are done.
   */
  replaceCard(reply: ReplyValue): Promise<void>;
  /** Deletes the card's message (already deleted: nothing happens). */
  deleteCard(): Promise<void>;
  /** True when the person passes the access rules of the command named `name`. */
  isAllowed(name: string): Promise<boolean>;
}

/**
 * A card action handler: like a command handler, it returns or yields replies (strings or reply
 * messages), or nothing.
 */
export type CardActionHandler<S extends object = DefaultState> = (
  context: CardActionContext<S>,
) => HandlerResult;

/** Options of `bot.action(...)`. */
export interface ActionOptions<S extends object = DefaultState> {
  /** Who may submit this action, and where (on top of the bot's own rules). */
  allow?: AccessRule;
  /** Middleware run for this action only, after the bot's. */
  use?: Middleware<S> | readonly Middleware<S>[];
}

/**
 * What happened to a room's members:
 * - `botAdded`: the bot was added to a room (`actorId`: who added it);
 * - `botRemoved`: the bot was removed from a group room (it can no longer say anything there);
 * - `personJoined`: someone else joined a room the bot is in;
 * - `personLeft`: someone else left a group room the bot is in.
 */
export type MembershipEventKind = "botAdded" | "botRemoved" | "personJoined" | "personLeft";

/** The membership event kinds, in a fixed order. */
export const MEMBERSHIP_EVENT_KINDS: readonly MembershipEventKind[] = [
  "botAdded",
  "botRemoved",
  "personJoined",
  "personLeft",
];

/** What a membership handler is given. */
export interface MembershipContext<S extends object = DefaultState> {
  readonly kind: MembershipEventKind;
  /** The membership as Webex sent it: `personId`, `personEmail`, `personDisplayName`, `roomId`, `roomType`, … */
  readonly membership: Membership;
  readonly event: WebhookEvent;
  readonly roomId: string;
  /** The person who joined or left (the bot itself for `botAdded`/`botRemoved`). */
  readonly personId: string;
  /** Who did it (added the bot, removed someone…), when Webex says: the envelope's `actorId`. */
  readonly actorId: string | undefined;
  /** That actor as Webex knows them, fetched on first read (rejects when there is no actor). */
  readonly actor: Promise<Person>;
  readonly self: Person;
  readonly webex: WebexClient;
  readonly signal: AbortSignal;
  readonly logger: Logger;
  readonly state: S;
}

/** A membership handler: returns or yields replies (not for `botRemoved`), or nothing. */
export type MembershipHandler<S extends object = DefaultState> = (
  context: MembershipContext<S>,
) => HandlerResult;

/** What any handler may return. */
export type HandlerResult =
  | ReplyValue
  | Promise<ReplyValue>
  | Iterable<ReplyValue, ReplyValue>
  | AsyncIterable<ReplyValue, ReplyValue>;

/** What every kind of run shares: the bot's identity, Webex, signal, logger, access policy. */
export interface RunEnvironment {
  /** The bot's own identity. */
  self: Person;
  webex: WebexClient;
  /** Aborted with `CommandTimeoutError` on timeout, with other reasons on shutdown. */
  signal?: AbortSignal;
  logger?: Logger;
  /** Access rules of the deployment, applied together with the bot's own. */
  access?: AccessPolicy;
  /** Called once for a refused run (the worker counts them in a metric). */
  onAccessDenied?: (denial: AccessDenial) => void;
}

/** A card submission to run: the action, fetched, and the card's message. */
export interface CardActionInput extends RunEnvironment {
  type: "cardAction";
  /** The attachment action (`webex.attachmentActions.get`): the webhook carries no inputs. */
  action: AttachmentAction;
  /** The card's message (`webex.messages.get(action.messageId)`). */
  message: Message;
  event: WebhookEvent;
}

/** A membership event to run: the membership is the webhook's `data`. */
export interface MembershipInput extends RunEnvironment {
  type: "membership";
  /** `created` or `deleted`: the webhook's `event`. */
  event: WebhookEvent;
  membership: Membership;
}
