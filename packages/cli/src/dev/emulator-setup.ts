import type { ControlPerson, EmulatorControl } from "@sparkbot/emulator";

/** The accounts and rooms a dev session starts with. */
export interface EmulatorWorld {
  bot: ControlPerson;
  user: ControlPerson;
  rooms: { direct: string; group: string };
}

/** Creates the bot account, one user, a direct room and a group room with both in them. */
export async function setUpWorld(api: EmulatorControl): Promise<EmulatorWorld> {
  const bot = await api.createPerson({
    displayName: "SparkBot",
    email: "sparkbot@webex.bot",
    type: "bot",
  });
  const user = await api.createPerson({
    displayName: "Dev User",
    email: "dev@example.com",
    type: "person",
  });
  const direct = await api.createRoom({
    title: user.displayName,
    type: "direct",
    members: [user.id, bot.id],
  });
  const group = await api.createRoom({
    title: "SparkBot dev room",
    type: "group",
    members: [user.id, bot.id],
  });
  return { bot, user, rooms: { direct: direct.id, group: group.id } };
}

/** The person fields a session file keeps. */
export function sessionPerson(person: ControlPerson): {
  id: string;
  displayName: string;
  email: string;
  token: string;
} {
  return {
    id: person.id,
    displayName: person.displayName,
    email: person.emails[0] ?? "",
    token: person.token,
  };
}
