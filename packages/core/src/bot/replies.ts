/** The words users see. The error texts are the original SparkBot's. */
export const REPLY_TEXT = {
  notFound: "⚠️ Error: Command not found. Maybe try 'help'?",
  notFoundNoHelp: "⚠️ Error: Command not found.",
  internalError:
    "⚠️ Error: Something happened internally. For more information, contact the bot author.",
  userError: (message: string): string => `⚠️ Error: ${message}`,
  badCommandLine: (reason: string): string =>
    `⚠️Error: Please check the format of your command. ${reason}`,
  timeout:
    "⚠️ Error: This command took too long and was stopped. Try again, or contact the bot author if it keeps happening.",
  empty: "👋 Type `help` to see what I can do.",
  emptyNoHelp: "👋 Send me a command.",
  helpHeader: "Type `help [command]` for more specific help about any of these commands:",
  helpUnknown: (name: string): string => `I don't have a command with the name "${name}".`,
  helpMissing: (name: string): string => `There is no help available for \`${name}\`.`,
} as const;
