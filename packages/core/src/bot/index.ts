// Public API of the command framework.
export { SparkBot, DEFAULT_ACTION_KEY, type SparkBotOptions } from "./sparkbot.js";
export type {
  BotInput,
  CommandContext,
  CommandHandler,
  CommandInfo,
  CommandInput,
  CommandOptions,
  CommandOutcome,
  CommandReplyValue,
  CommandRun,
  Reply,
} from "./types.js";
export type { ReplyMessage, ReplyValue, ReplyPlacement } from "./replies.js";
export { toReplies } from "./replies.js";
export {
  MEMBERSHIP_EVENT_KINDS,
  type ActionOptions,
  type CardActionContext,
  type CardActionHandler,
  type CardActionInput,
  type HandlerResult,
  type MembershipContext,
  type MembershipEventKind,
  type MembershipHandler,
  type MembershipInput,
  type RunEnvironment,
} from "./event-types.js";
export { PSEUDO_ACTIONS, cardOf } from "./card-action-plan.js";
export { membershipKind } from "./membership-plan.js";
export type {
  CardActionMiddlewareContext,
  DefaultState,
  Dispatch,
  DispatchKind,
  MembershipMiddlewareContext,
  MessageMiddlewareContext,
  Middleware,
  MiddlewareContext,
} from "./middleware.js";
export { composeMiddleware } from "./middleware.js";
export { PSEUDO_COMMANDS } from "./dispatch.js";
export { DEFAULT_REPLY_TEXTS, type ReplyTexts } from "./texts.js";
export { BUILTIN_HELP_TEXT, HELP_TEXT } from "./help.js";
export { MAX_REPLY_BYTES, splitReply } from "./split-reply.js";
export { stripMention, mentionTextFor } from "./mention.js";
export { dedent } from "./dedent.js";
export { describeMessage } from "./describe.js";
