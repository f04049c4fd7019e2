// The example bot: the `run.py.example` of the original SparkBot. The worker loads this module
// (its `bot` export, or the default export) unless told to load another.
import { setTimeout as sleep } from "node:timers/promises";
import {
  SparkBot,
  adaptiveCard,
  choiceSetInput,
  factSet,
  minargs,
  submitAction,
  textBlock,
  textInput,
} from "@sparkbot/core";

/** How long `slow` works, from `SLOW_COMMAND_MS` (default 3000 ms). */
export function slowCommandMs(env: NodeJS.ProcessEnv = process.env): number {
  const value = Number(env.SLOW_COMMAND_MS);
  return env.SLOW_COMMAND_MS !== undefined && Number.isFinite(value) && value >= 0 ? value : 3000;
}

export const bot = new SparkBot();

// Middleware runs around every message, card action and membership event (after the built-in
// access control): this one logs how long each took, at debug level (LOG_LEVEL=debug shows it).
bot.use(async (ctx, next) => {
  const started = performance.now();
  try {
    await next();
  } finally {
    const durationMs = Math.round(performance.now() - started);
    ctx.logger.debug("handled", {
      type: ctx.type,
      name: ctx.name,
      outcome: ctx.outcome,
      durationMs,
    });
  }
});

// Add commands here

bot.command(
  "ping",
  {
    help: `
      Checks if the bot is running.

      Usage: \`ping\`

      Returns **pong**.
      `,
  },
  () => "**pong**",
);

bot.command(
  ["testcommand", "echo"],
  {
    help: `
      Usage: \`testcommand something\`

      A command used for testing. Returns the first word you typed.
      `,
  },
  ({ commandline }) => {
    if (minargs(1, commandline)) return commandline[1];
    return "This command requires at least one argument";
  },
);

bot.command(
  "slow",
  {
    help: `
      Replies early, works for a while, then replies again.

      Usage: \`slow\`

      Returns "working on it" at once, then **done**.
      `,
  },
  async function* ({ signal }) {
    yield "working on it";
    await sleep(slowCommandMs(), undefined, { signal });
    yield "**done**";
  },
);

bot.command(
  "whoami",
  {
    help: `
      Tells you who you are, as Webex knows you. Only in a direct room with me: your email
      address is nobody else's business.

      Usage: \`whoami\`
      `,
    allow: { roomTypes: ["direct"] },
  },
  async ({ caller }) => {
    const person = await caller;
    const email = person.emails[0];
    return `You are **${person.displayName}**${email === undefined ? "" : ` (${email})`}.`;
  },
);

/** The feedback form: a rating, a comment, and a Send button whose data names the action. */
export const feedbackCard = adaptiveCard({
  body: [
    textBlock("How do you like SparkBot?", { size: "Medium", weight: "Bolder" }),
    choiceSetInput("rating", ["😀 Great", "🙂 Good", "😐 Meh"], {
      label: "Your rating",
      style: "expanded",
      isRequired: true,
      errorMessage: "Pick a rating",
    }),
    textInput("comment", { label: "Anything to add?", isMultiline: true, maxLength: 500 }),
  ],
  actions: [submitAction("Send", { action: "feedback" })],
});

bot.command(
  "feedback",
  {
    help: `
      Asks for your feedback with a card.

      Usage: \`feedback\`
      `,
  },
  () => ({ card: feedbackCard, markdown: "How do you like SparkBot? (Open Webex to answer.)" }),
);

// The card's Send button has `data: { action: "feedback" }`: its submissions come here. The
// form is replaced by what was sent (cards cannot be edited), then the bot says thanks.
bot.action("feedback", async function* ({ inputs, caller, replaceCard }) {
  const rating = String(inputs["rating"] ?? "");
  const comment = String(inputs["comment"] ?? "").trim();
  await replaceCard({
    card: adaptiveCard({
      body: [
        textBlock("Feedback received", { weight: "Bolder" }),
        factSet({ Rating: rating, ...(comment === "" ? {} : { Comment: comment }) }),
      ],
    }),
    markdown: `Feedback received: ${rating}`,
  });
  const person = await caller;
  yield `Thanks, ${person.firstName ?? person.displayName}! Your feedback (${rating}) is noted.`;
});

// Added to a room: say hello to it, and name who added the bot.
bot.on("botAdded", async ({ actor, membership }) => {
  const who = await actor.catch(() => undefined);
  const by = who === undefined ? "" : ` Thanks for adding me, ${who.displayName}.`;
  const how = membership.roomType === "direct" ? "Type `help`" : "Mention me with `help`";
  return `👋 Hello!${by} ${how} to see what I can do.`;
});

bot.fallback(
  ({ commandline }) =>
    `I don't know the command "${commandline[0] ?? ""}". Type \`help\` to see what I can do.`,
);

export default bot;
