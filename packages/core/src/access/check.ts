import { sameWebexId } from "../webex/ids.js";
import type { Person, RoomType } from "../webex/types.js";
import { domainMatches, restrictsWho, restrictsWhere, type NormalizedRule } from "./rules.js";

/**
 * What the checks know about a message, each piece looked up only when a rule needs it. The
 * lookups may reject (a Webex failure); the checks let that through to the caller.
 */
export interface AccessSubject {
  readonly roomId: string;
  /** The room's type, from the message, or looked up when the message lacks it. */
  roomType(): Promise<RoomType>;
  /** The caller's email address (lower case): the message's, or the person's when it has none. */
  email(): Promise<string>;
  /** The caller as Webex knows them (`people.get`, cached for the whole run). */
  person(): Promise<Person>;
}

/** Bot accounts' email domains: every Webex bot has one of these addresses. */
const BOT_EMAIL = /@(webex\.bot|sparkbot\.io)$/i;

/** True when the address is a bot account's (no Webex call needed). */
export function isBotEmail(email: string): boolean {
  return BOT_EMAIL.test(email);
}

/**
 * The first way in which `rules` refuse the subject, or undefined when every rule allows it.
 * Rooms are checked first, then people, so that the Webex call an organisation rule needs is made
 * only when the cheaper checks have passed.
 */
export async function refusal(
  rules: readonly NormalizedRule[],
  subject: AccessSubject,
): Promise<"room" | "person" | undefined> {
  for (const rule of rules) {
    if (restrictsWhere(rule) && !(await roomAllowed(rule, subject))) return "room";
  }
  for (const rule of rules) {
    if (restrictsWho(rule) && !(await personAllowed(rule, subject))) return "person";
  }
  return undefined;
}

async function roomAllowed(rule: NormalizedRule, subject: AccessSubject): Promise<boolean> {
  if (rule.roomIds.some((id) => sameWebexId(id, subject.roomId))) return true;
  if (rule.roomTypes.size === 0) return false;
  return rule.roomTypes.has(await subject.roomType());
}

async function personAllowed(rule: NormalizedRule, subject: AccessSubject): Promise<boolean> {
  if (rule.emails.size > 0 || rule.emailDomains.length > 0) {
    const email = await subject.email();
    if (rule.emails.has(email)) return true;
    const domain = email.slice(email.lastIndexOf("@") + 1);
    if (email.includes("@") && rule.emailDomains.some((p) => domainMatches(p, domain))) return true;
  }
  if (rule.orgIds.length === 0) return false;
  const person = await subject.person();
  return rule.orgIds.some((id) => sameWebexId(id, person.orgId));
}
