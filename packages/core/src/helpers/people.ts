import { CommandError } from "../errors/errors.js";
import type { WebexClient } from "../webex/client.js";
import type { Person } from "../webex/types.js";

const EMAIL_PATTERN = /^[^\s@<>()[\]\\,;:"]+@[^\s@<>()[\]\\,;:"]+\.[^\s@<>()[\]\\,;:".]+$/;

/**
 * A Webex markdown mention of `person`: `<@personId:ID|Name>`, named by the first name (the
 * display name when there is none). Webex notifies the person and shows the name as a link.
 */
export function mentionPerson(person: Pick<Person, "id" | "displayName" | "firstName">): string {
  if (typeof person?.id !== "string" || person.id === "") {
    throw new TypeError("mentionPerson needs a Person with an id.");
  }
  const name = (person.firstName ?? "").trim() || person.displayName;
  return `<@personId:${person.id}|${name.replace(/[|>]/g, "")}>`;
}

/** True when `email` looks like an e-mail address (one `@`, a dotted domain, no spaces). */
export function isEmailAddress(email: string): boolean {
  return EMAIL_PATTERN.test(email);
}

/**
 * The one person with e-mail address `email`.
 *
 * @throws TypeError when `email` is not a string.
 * @throws CommandError (shown to the user) when the address is malformed, or when Webex finds
 *   nobody or more than one person with it.
 */
export async function getPersonByEmail(webex: WebexClient, email: string): Promise<Person> {
  if (typeof email !== "string") {
    throw new TypeError(
      `getPersonByEmail needs the e-mail address as a string, got ${typeof email}.`,
    );
  }
  const address = email.trim();
  if (!isEmailAddress(address)) {
    throw new CommandError(`"${address}" is not a valid e-mail address.`);
  }
  const people = await webex.people.list({ email: address }, { limit: 2 });
  const [person] = people;
  if (person === undefined) throw new CommandError(`Nobody was found with the e-mail ${address}.`);
  if (people.length > 1) {
    throw new CommandError(`More than one person was found with the e-mail ${address}.`);
  }
  return person;
}

/**
 * The person with Webex id `personId`.
 *
 * @throws TypeError when `personId` is not a non-empty string; Webex errors (404...) as they come.
 */
export async function getPersonById(webex: WebexClient, personId: string): Promise<Person> {
  if (typeof personId !== "string" || personId.trim() === "") {
    throw new TypeError("getPersonById needs a person id (a non-empty string).");
  }
  return webex.people.get(personId.trim());
}
