import { CommandSetupError } from "../errors/errors.js";
import type { RoomType } from "../webex/types.js";

/** The kinds of Webex room a rule can name. */
export const ROOM_TYPES: readonly RoomType[] = ["direct", "group"];

/**
 * Who may use the bot, or one command, and where. Every field is optional; an empty rule allows
 * everyone everywhere.
 *
 * - **Who**: `emails`, `emailDomains` and `orgIds` together: the caller passes when they match
 *   any one of them (when none of the three is set, anyone passes).
 * - **Where**: `roomIds` and `roomTypes` together: the message passes when its room matches any
 *   one of them (when neither is set, any room passes).
 *
 * A caller must pass both. `orgIds` is the only field that costs a Webex call (`people.get`,
 * once per message, shared with the handler's `caller`); emails come with the message.
 */
export interface AccessRule {
  /** People, by email address (any case). */
  emails?: readonly string[];
  /** Email domains: `example.com` exactly, or `*.example.com` for any of its subdomains. */
  emailDomains?: readonly string[];
  /** Webex organisations, by id (the REST form or the bare uuid). */
  orgIds?: readonly string[];
  /** Rooms, by id (the REST form or the bare uuid). */
  roomIds?: readonly string[];
  /** Kinds of room: `direct` (one-on-one with the bot) and/or `group`. */
  roomTypes?: readonly RoomType[];
}

/** What the refused get: a reply (the `accessDenied` text), or nothing at all. */
export type DeniedAction = "reply" | "silent";

/** The access settings of a bot: rules for every message and per command, and what refusal does. */
export interface AccessPolicy {
  /** A rule every message must pass: commands, help, the fallback, unknown and empty messages. */
  allow?: AccessRule;
  /**
   * Rules per command, keyed by a command name or alias (any case), or by several names
   * separated by commas (`"deploy,restart"`). A command's rule applies on top of `allow`.
   */
  commands?: Readonly<Record<string, AccessRule>>;
  /** `reply` (default) answers the refused with the `accessDenied` text; `silent` says nothing. */
  denied?: DeniedAction;
  /** The refusal's text, instead of the bot's `accessDenied` text. */
  deniedText?: string;
  /**
   * Answer messages written by other bots. Off by default: two bots answering each other never
   * stop. Messages of bots are ignored silently (a reply would feed the loop).
   */
  allowBots?: boolean;
}

/** Why a message was refused (the `reason` label of the metric). */
export type AccessDenialReason = "from_bot" | "person" | "room" | "lookup_failed";

/** One refusal, as reported to `onAccessDenied` and logged. */
export interface AccessDenial {
  /** The command the message asked for (its canonical name, or `(unknown)`, `(empty)`...). */
  readonly command: string;
  readonly reason: AccessDenialReason;
  /** Which rule refused: the one for every message (`bot`) or the command's own (`command`). */
  readonly rule: "bot" | "command";
  readonly personId: string;
  readonly personEmail: string;
  readonly roomId: string;
  /** True when the caller was answered (false when silent, or for other bots). */
  readonly replied: boolean;
}

/** A rule checked and put in the form the checks use (lower-case emails and domains). */
export interface NormalizedRule {
  readonly emails: ReadonlySet<string>;
  readonly emailDomains: readonly string[];
  readonly orgIds: readonly string[];
  readonly roomIds: readonly string[];
  readonly roomTypes: ReadonlySet<RoomType>;
}

const RULE_FIELDS = ["emails", "emailDomains", "orgIds", "roomIds", "roomTypes"] as const;
/** A field of `AccessRule`. */
export type RuleField = (typeof RULE_FIELDS)[number];
const WEBEX_ID = /^[a-z0-9_=+/-]+$/;
const FIELD_CHECKS: Record<RuleField, { valid: RegExp; what: string }> = {
  emails: { valid: /^[^\s@,]+@[^\s@,]+\.[^\s@,]+$/, what: "an email address" },
  emailDomains: {
    valid: /^(\*\.)?[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)+$/,
    what: "an email domain like example.com or *.example.com",
  },
  orgIds: { valid: WEBEX_ID, what: "a Webex organisation id" },
  roomIds: { valid: WEBEX_ID, what: "a Webex room id" },
  roomTypes: { valid: /^(direct|group)$/, what: "a room type (direct or group)" },
};

/**
 * Checks a rule given by the author or read from the environment and normalizes it.
 *
 * @param where names the rule in error messages, e.g. `the "deploy" command's allow option`.
 * @throws CommandSetupError naming the field and value that is wrong.
 */
export function normalizeRule(rule: unknown, where: string): NormalizedRule {
  if (typeof rule !== "object" || rule === null || Array.isArray(rule)) {
    throw new CommandSetupError(`${where} must be an object like { emails: [...] }.`);
  }
  const fields = rule as Record<string, unknown>;
  for (const key of Object.keys(fields)) {
    if (!(RULE_FIELDS as readonly string[]).includes(key)) {
      throw new CommandSetupError(
        `${where} has an unknown field "${key}"; the fields are ${RULE_FIELDS.join(", ")}.`,
      );
    }
  }
  const list = (key: RuleField): string[] => {
    const value = fields[key];
    if (value === undefined) return [];
    if (!Array.isArray(value)) {
      throw new CommandSetupError(
        `${where}: "${key}" must be a list of ${FIELD_CHECKS[key].what}s.`,
      );
    }
    return checkRuleItems(value, key, `${where}: "${key}"`);
  };
  return {
    emails: new Set(list("emails").map((email) => email.toLowerCase())),
    emailDomains: list("emailDomains").map((domain) => domain.toLowerCase()),
    orgIds: list("orgIds"),
    roomIds: list("roomIds"),
    roomTypes: new Set(list("roomTypes").map((type) => type.toLowerCase() as RoomType)),
  };
}

/**
 * Checks the items of one rule field, trimmed; `where` names them in the error.
 *
 * @throws CommandSetupError `<where> holds "x", which is not an email address.`
 */
export function checkRuleItems(
  items: readonly unknown[],
  field: RuleField,
  where: string,
): string[] {
  const { valid, what } = FIELD_CHECKS[field];
  return items.map((item: unknown) => {
    const text = typeof item === "string" ? item.trim() : undefined;
    if (text === undefined || !valid.test(text.toLowerCase())) {
      throw new CommandSetupError(`${where} holds ${JSON.stringify(item)}, which is not ${what}.`);
    }
    return text;
  });
}

/** True when the rule restricts nothing. */
export function isOpenRule(rule: NormalizedRule): boolean {
  return !restrictsWho(rule) && !restrictsWhere(rule);
}

/** True when the rule names people (emails, domains or organisations). */
export function restrictsWho(rule: NormalizedRule): boolean {
  return rule.emails.size > 0 || rule.emailDomains.length > 0 || rule.orgIds.length > 0;
}

/** True when the rule names rooms (ids or types). */
export function restrictsWhere(rule: NormalizedRule): boolean {
  return rule.roomIds.length > 0 || rule.roomTypes.size > 0;
}

/** True when `domain` (lower case) is allowed by `pattern` (`example.com` or `*.example.com`). */
export function domainMatches(pattern: string, domain: string): boolean {
  if (pattern.startsWith("*.")) return domain.endsWith(pattern.slice(1));
  return domain === pattern;
}

/** Splits a policy's `commands` key into the command names it covers. */
export function commandKeyNames(key: string): string[] {
  return key
    .split(",")
    .map((name) => name.trim())
    .filter((name) => name !== "");
}
