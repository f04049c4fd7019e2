import type { WebexClient } from "../webex/client.js";
import type { Person, Room } from "../webex/types.js";

/**
 * True when `room` is a group room (several people), false when it is a direct (1:1) room.
 * Give a Room (no API call) or a room id (fetched).
 */
export async function isGroup(webex: WebexClient, room: Room | string): Promise<boolean> {
  const resolved = typeof room === "string" ? await webex.rooms.get(room) : room;
  if (typeof resolved?.type !== "string") {
    throw new TypeError("isGroup needs a Room or a room id.");
  }
  return resolved.type === "group";
}

/**
 * True when `person` (a Person or a person id) is a member of the team `teamId`.
 */
export async function checkIfInTeam(
  webex: WebexClient,
  teamId: string,
  person: Pick<Person, "id"> | string,
): Promise<boolean> {
  if (typeof teamId !== "string" || teamId === "") {
    throw new TypeError("checkIfInTeam needs a team id (a non-empty string).");
  }
  const personId = typeof person === "string" ? person : person?.id;
  if (typeof personId !== "string")
    throw new TypeError("checkIfInTeam needs a Person or a person id.");
  const members = await webex.teamMemberships.list({ teamId });
  return members.some((membership) => membership.personId === personId);
}

/**
 * True when `person` belongs to the organization `organizationId`. Give a Person (no API call)
 * or a person id (fetched).
 */
export async function checkIfInOrg(
  webex: WebexClient,
  organizationId: string,
  person: Pick<Person, "orgId"> | string,
): Promise<boolean> {
  if (typeof organizationId !== "string" || organizationId === "") {
    throw new TypeError("checkIfInOrg needs an organization id (a non-empty string).");
  }
  const resolved = typeof person === "string" ? await webex.people.get(person) : person;
  if (typeof resolved?.orgId !== "string")
    throw new TypeError("checkIfInOrg needs a Person or a person id.");
  return resolved.orgId === organizationId;
}
