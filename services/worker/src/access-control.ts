import { ConfigError, type AccessPolicy } from "@sparkbot/core";
import type { RunnableBot } from "./bot-contract.js";
import type { WorkerMetrics } from "./metrics.js";

/**
 * The bot with the deployment's access policy (`ACCESS_*`, in `config.access`) applied to every
 * run, each refusal counted in `sparkbot_access_denied_total{command,reason}` (core logs it).
 *
 * @throws ConfigError when the policy names commands the bot does not have (a typo would leave
 * the command it meant open), or when rules are set for a bot that cannot apply them.
 */
export function withAccessControl(
  bot: RunnableBot,
  policy: AccessPolicy,
  metrics: WorkerMetrics,
): RunnableBot {
  if (bot.unknownAccessCommands === undefined) {
    if (Object.keys(policy).length === 0) return bot;
    throw new ConfigError(
      "BOT_MODULE",
      "BOT_MODULE's bot cannot apply the ACCESS_* rules that are set: export a SparkBot of @sparkbot/core",
    );
  }
  const unknown = bot.unknownAccessCommands(policy);
  if (unknown.length > 0) {
    throw new ConfigError(
      "ACCESS_COMMANDS",
      `ACCESS_COMMANDS names ${unknown.map((name) => `"${name}"`).join(", ")}, which the bot has no command for`,
    );
  }
  return {
    ...(bot.handledEvents !== undefined ? { handledEvents: bot.handledEvents } : {}),
    run: (input) =>
      bot.run({
        ...input,
        access: policy,
        onAccessDenied: (denial) => {
          metrics.accessDenied.inc({ command: denial.command, reason: denial.reason });
          input.onAccessDenied?.(denial);
        },
      }),
  };
}

/** The access policy in a few words, for the worker's start line. */
export function describeAccessPolicy(policy: AccessPolicy): Record<string, unknown> {
  const rules = Object.entries(policy.allow ?? {}).map(
    ([field, items]) => `${field}(${items.length})`,
  );
  return {
    allow: rules.length === 0 ? "everyone" : rules.join(" "),
    commandRules: Object.keys(policy.commands ?? {}).length,
    denied: policy.denied ?? "reply",
    allowBots: policy.allowBots ?? false,
  };
}
