import { startEmulator, EmulatorControl, type RunningEmulator } from "../src/index.js";
import type { ControlPerson } from "../src/index.js";

/** A started emulator with a control client, a user, a bot and rooms of both kinds. */
export interface Scene {
  emulator: RunningEmulator;
  control: EmulatorControl;
  alice: ControlPerson;
  bob: ControlPerson;
  bot: ControlPerson;
  directRoomId: string;
  groupRoomId: string;
}

/** Starts an emulator on port 0 and creates alice, bob, a bot, a direct and a group room. */
export async function startScene(
  options: Parameters<typeof startEmulator>[0] = {},
): Promise<Scene> {
  const emulator = await startEmulator({ port: 0, ...options });
  const control = new EmulatorControl(emulator.url);
  const alice = await control.createPerson({
    displayName: "Alice Smith",
    email: "alice@example.com",
  });
  const bob = await control.createPerson({ displayName: "Bob Jones", email: "bob@example.com" });
  const bot = await control.createPerson({
    displayName: "Spark Bot",
    email: "spark@webex.bot",
    type: "bot",
  });
  const direct = await control.createRoom({
    title: "Alice and the bot",
    type: "direct",
    members: [alice.id, bot.id],
  });
  const group = await control.createRoom({
    title: "Team room",
    type: "group",
    members: [alice.id, bob.id, bot.id],
  });
  return { emulator, control, alice, bob, bot, directRoomId: direct.id, groupRoomId: group.id };
}

/** Calls the emulator's REST API as the holder of `token`; returns status, headers and JSON. */
export async function api(
  emulator: RunningEmulator,
  token: string | undefined,
  method: string,
  path: string,
  body?: unknown,
): Promise<{ status: number; headers: Headers; json: Record<string, unknown> }> {
  const headers: Record<string, string> = {};
  if (token !== undefined) headers["authorization"] = `Bearer ${token}`;
  if (body !== undefined) headers["content-type"] = "application/json";
  const response = await fetch(path.startsWith("http") ? path : `${emulator.url}${path}`, {
    method,
    headers,
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  const json = text === "" ? {} : (JSON.parse(text) as Record<string, unknown>);
  return { status: response.status, headers: response.headers, json };
}
