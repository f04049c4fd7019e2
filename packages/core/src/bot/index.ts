// Public API of the command framework.
export { SparkBot, type SparkBotOptions } from "./sparkbot.js";
export type {
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
export type {
  DefaultState,
  Dispatch,
  DispatchKind,
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
