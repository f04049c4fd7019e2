import { normalizePolicy } from "../access/policy.js";
import {
  checkRuleItems,
  type AccessPolicy,
  type AccessRule,
  type DeniedAction,
} from "../access/rules.js";
import { CommandSetupError, ConfigError } from "../errors/errors.js";
import type { RoomType } from "../webex/types.js";
import { readBool, readChoice, readString, type Env } from "./env.js";

/** The variables of access control, each with the rule field it fills (lists only). */
const RULE_VARIABLES = [
  ["ACCESS_ALLOW_EMAILS", "emails"],
  ["ACCESS_ALLOW_EMAIL_DOMAINS", "emailDomains"],
  ["ACCESS_ALLOW_ORG_IDS", "orgIds"],
  ["ACCESS_ALLOW_ROOM_IDS", "roomIds"],
  ["ACCESS_ALLOW_ROOM_TYPES", "roomTypes"],
] as const;

/** Every variable `loadAccessPolicy` reads. */
export const ACCESS_VARIABLES = [
  ...RULE_VARIABLES.map(([name]) => name),
  "ACCESS_COMMANDS",
  "ACCESS_DENIED",
  "ACCESS_DENIED_TEXT",
  "ACCESS_ALLOW_BOTS",
] as const;

const COMMANDS_EXAMPLE = `{"deploy,restart":{"emails":["ops@example.com"]}}`;

/**
 * The deployment's access policy, from the environment:
 *
 * - `ACCESS_ALLOW_EMAILS`, `ACCESS_ALLOW_EMAIL_DOMAINS`, `ACCESS_ALLOW_ORG_IDS`,
 *   `ACCESS_ALLOW_ROOM_IDS`, `ACCESS_ALLOW_ROOM_TYPES`: the rule for every message (lists
 *   separated by commas or blanks);
 * - `ACCESS_COMMANDS`: rules per command, as JSON (`{"deploy,restart":{"emails":[...]}}`);
 * - `ACCESS_DENIED`: `reply` (default) or `silent`; `ACCESS_DENIED_TEXT`: the refusal's text;
 * - `ACCESS_ALLOW_BOTS`: answer other bots (default false).
 *
 * @throws ConfigError naming the first variable that is malformed.
 */
export function loadAccessPolicy(env: Env): AccessPolicy {
  const allow: AccessRule = {};
  for (const [variable, field] of RULE_VARIABLES) {
    const value = readString(env, variable);
    if (value === undefined) continue;
    const items = value.split(/[\s,]+/).filter((item) => item !== "");
    checked(variable, () => checkRuleItems(items, field, variable));
    if (field === "roomTypes") allow.roomTypes = items.map(lowerRoomType);
    else allow[field] = items;
  }
  const policy: AccessPolicy = {};
  if (Object.keys(allow).length > 0) policy.allow = allow;
  const commands = readString(env, "ACCESS_COMMANDS");
  if (commands !== undefined) policy.commands = parseCommands(commands);
  if (readString(env, "ACCESS_DENIED") !== undefined) {
    policy.denied = readChoice<DeniedAction>(env, "ACCESS_DENIED", "reply", ["reply", "silent"]);
  }
  const deniedText = readString(env, "ACCESS_DENIED_TEXT");
  if (deniedText !== undefined) policy.deniedText = deniedText;
  if (readString(env, "ACCESS_ALLOW_BOTS") !== undefined) {
    policy.allowBots = readBool(env, "ACCESS_ALLOW_BOTS", false);
  }
  return policy;
}

function parseCommands(value: string): Record<string, AccessRule> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new ConfigError(
      "ACCESS_COMMANDS",
      `ACCESS_COMMANDS must be JSON like ${COMMANDS_EXAMPLE}: ${reason}`,
    );
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
    throw new ConfigError(
      "ACCESS_COMMANDS",
      `ACCESS_COMMANDS must be a JSON object like ${COMMANDS_EXAMPLE}`,
    );
  }
  const commands = parsed as Record<string, AccessRule>;
  checked("ACCESS_COMMANDS", () => normalizePolicy({ commands }, "ACCESS_COMMANDS"));
  return commands;
}

function lowerRoomType(item: string): RoomType {
  return item.toLowerCase() as RoomType;
}

/** Runs a check, turning its `CommandSetupError` into a `ConfigError` naming `variable`. */
function checked(variable: string, check: () => unknown): void {
  try {
    check();
  } catch (error) {
    if (error instanceof CommandSetupError) throw new ConfigError(variable, error.message);
    throw error;
  }
}
