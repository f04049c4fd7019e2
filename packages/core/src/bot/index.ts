// Public API of the command framework.
export { SparkBot } from "./sparkbot.js";
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
export { PSEUDO_COMMANDS } from "./run.js";
export { REPLY_TEXT } from "./replies.js";
export { MAX_REPLY_BYTES, splitReply } from "./split-reply.js";
export { stripMention, mentionTextFor } from "./mention.js";
export { dedent } from "./dedent.js";
export { describeMessage } from "./describe.js";
