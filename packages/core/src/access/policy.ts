import { CommandSetupError } from "../errors/errors.js";
import {
  commandKeyNames,
  isOpenRule,
  normalizeRule,
  type AccessPolicy,
  type DeniedAction,
  type NormalizedRule,
} from "./rules.js";

/** An `AccessPolicy` checked once and indexed for the checks. */
export interface NormalizedPolicy {
  readonly allow: NormalizedRule | undefined;
  /** Lower-case command name or alias → its rules. */
  readonly commands: ReadonlyMap<string, readonly NormalizedRule[]>;
  readonly denied: DeniedAction | undefined;
  readonly deniedText: string | undefined;
  readonly allowBots: boolean | undefined;
}

const POLICY_FIELDS = ["allow", "commands", "denied", "deniedText", "allowBots"] as const;
const normalized = new WeakMap<object, NormalizedPolicy>();

/**
 * Checks an access policy and indexes it; the result is cached per policy object, so a policy
 * passed with every run (as the worker does) is checked once.
 *
 * @param where names the policy in error messages.
 * @throws CommandSetupError for anything malformed, naming the field.
 */
export function normalizePolicy(policy: AccessPolicy, where: string): NormalizedPolicy {
  if (typeof policy !== "object" || policy === null || Array.isArray(policy)) {
    throw new CommandSetupError(`${where} must be an object like { allow: { emails: [...] } }.`);
  }
  const cached = normalized.get(policy);
  if (cached !== undefined) return cached;
  const fields = policy as Record<string, unknown>;
  for (const key of Object.keys(fields)) {
    if (!(POLICY_FIELDS as readonly string[]).includes(key)) {
      throw new CommandSetupError(
        `${where} has an unknown field "${key}"; the fields are ${POLICY_FIELDS.join(", ")}.`,
      );
    }
  }
  const { denied, deniedText, allowBots } = policy;
  if (denied !== undefined && denied !== "reply" && denied !== "silent") {
    throw new CommandSetupError(`${where}: "denied" must be "reply" or "silent".`);
  }
  if (deniedText !== undefined && (typeof deniedText !== "string" || deniedText.trim() === "")) {
    throw new CommandSetupError(`${where}: "deniedText" must be a text that is not blank.`);
  }
  if (allowBots !== undefined && typeof allowBots !== "boolean") {
    throw new CommandSetupError(`${where}: "allowBots" must be true or false.`);
  }
  const result: NormalizedPolicy = {
    allow: policy.allow === undefined ? undefined : normalizeRule(policy.allow, `${where}: allow`),
    commands: normalizeCommands(policy.commands, where),
    denied,
    deniedText,
    allowBots,
  };
  normalized.set(policy, result);
  return result;
}

function normalizeCommands(
  commands: AccessPolicy["commands"],
  where: string,
): Map<string, NormalizedRule[]> {
  const byName = new Map<string, NormalizedRule[]>();
  if (commands === undefined) return byName;
  if (typeof commands !== "object" || commands === null || Array.isArray(commands)) {
    throw new CommandSetupError(`${where}: "commands" must map command names to rules.`);
  }
  for (const [key, rule] of Object.entries(commands)) {
    const names = commandKeyNames(key);
    if (names.length === 0) {
      throw new CommandSetupError(`${where}: "commands" has a key with no command name.`);
    }
    const normalizedRule = normalizeRule(rule, `${where}: commands "${key}"`);
    for (const name of names) {
      const lower = name.toLowerCase();
      byName.set(lower, [...(byName.get(lower) ?? []), normalizedRule]);
    }
  }
  return byName;
}

/**
 * The policies that apply to one run, combined: the author's (from code) and the deployment's
 * (from the environment). Every rule of both must pass; for the settings, the deployment's
 * wins where it sets one.
 */
export class CombinedPolicy {
  readonly #policies: readonly NormalizedPolicy[];

  constructor(policies: readonly NormalizedPolicy[]) {
    this.#policies = policies;
  }

  /** The rules every message must pass. */
  get botRules(): NormalizedRule[] {
    return this.#policies.flatMap((p) => (p.allow === undefined ? [] : [p.allow]));
  }

  /** The rules of the command with these names (any alias), the command's own `allow` first. */
  commandRules(names: readonly string[], own: NormalizedRule | undefined): NormalizedRule[] {
    const rules = new Set<NormalizedRule>(own === undefined ? [] : [own]);
    for (const policy of this.#policies) {
      for (const name of names) {
        for (const rule of policy.commands.get(name.toLowerCase()) ?? []) rules.add(rule);
      }
    }
    return [...rules].filter((rule) => !isOpenRule(rule));
  }

  get denied(): DeniedAction {
    return this.#last((p) => p.denied) ?? "reply";
  }

  get deniedText(): string | undefined {
    return this.#last((p) => p.deniedText);
  }

  get allowBots(): boolean {
    return this.#last((p) => p.allowBots) ?? false;
  }

  /** Every command name the policies give rules for (lower case). */
  get ruledCommandNames(): string[] {
    return [...new Set(this.#policies.flatMap((p) => [...p.commands.keys()]))];
  }

  #last<T>(read: (policy: NormalizedPolicy) => T | undefined): T | undefined {
    for (let index = this.#policies.length - 1; index >= 0; index -= 1) {
      const policy = this.#policies[index];
      const value = policy === undefined ? undefined : read(policy);
      if (value !== undefined) return value;
    }
    return undefined;
  }
}
