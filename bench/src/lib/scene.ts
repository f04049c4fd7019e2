import type { ControlPerson, EmulatorControl } from "@sparkbot/emulator";
import type { Pinger } from "./ping-driver.js";

/** Creates a bot account in the emulator; its `token` is what the bot's services use. */
export function createBot(control: EmulatorControl, label: string): Promise<ControlPerson> {
  return control.createPerson({
    displayName: `${label} Bot`,
    email: `${label.toLowerCase()}@bench.bots.local`,
    type: "bot",
  });
}

/**
 * Creates `count` users, each with a direct room with the bot: one room per concurrent pinger,
 * so that each reply is matched to its ping by room, with no mention parsing on either side.
 */
export async function createPingers(
  control: EmulatorControl,
  bot: ControlPerson,
  count: number,
  label: string,
): Promise<Pinger[]> {
  const pingers: Pinger[] = [];
  for (let i = 0; i < count; i++) {
    const user = await control.createPerson({
      displayName: `${label} User ${i}`,
      email: `${label.toLowerCase()}-user-${i}@bench.local`,
    });
    const room = await control.createRoom({
      title: `${label} ${i}`,
      type: "direct",
      members: [user.id, bot.id],
    });
    pingers.push({ personId: user.id, roomId: room.id });
  }
  return pingers;
}
