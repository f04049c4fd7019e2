// The fault suite's workload: many users each with a direct room with the bot, a few group rooms
// where users @mention it, and a planned burst of `ping` and `count N tag` messages over them.
import type { ControlPerson, EmulatorControl } from "@sparkbot/emulator";
import { MAX_COUNT } from "./fault-bot.js";

/** A room the burst writes in: direct (one user) or group (several, each mentioning the bot). */
export interface SceneRoom {
  roomId: string;
  kind: "direct" | "group";
  /** The users who write there. */
  members: string[];
}

/** The people and rooms of one scenario. */
export interface Scene {
  bot: ControlPerson;
  rooms: SceneRoom[];
}

/** One message of the burst and what it must get back. */
export interface PlannedMessage {
  seq: number;
  room: SceneRoom;
  personId: string;
  /** `ping`, or `count N tag`. */
  text: string;
  /** The replies it must get, exactly once each (`**pong**` for a ping). */
  expected: string[];
  /** For `count`: its tag (unique in the scenario). */
  tag?: string;
}

/** Shape of a burst. */
export interface WorkloadSettings {
  directUsers: number;
  groupRooms: number;
  groupMembers: number;
  messages: number;
  /** Share of the messages written in group rooms. */
  groupShare: number;
  /** Share of the messages that are `count` (the rest are `ping`). */
  countShare: number;
  /** Largest N of `count N` (at least 2). */
  maxCount: number;
}

/** The reply to `ping`. */
export const PONG = "**pong**";

/** Creates the scenario's users and rooms (the bot must already exist). */
export async function createScene(
  control: EmulatorControl,
  bot: ControlPerson,
  settings: WorkloadSettings,
  label: string,
): Promise<Scene> {
  const person = (name: string): Promise<ControlPerson> =>
    control.createPerson({ displayName: name, email: `${name}@faults.local` });
  const rooms: SceneRoom[] = [];
  const directs = await Promise.all(
    Array.from({ length: settings.directUsers }, async (_, i) => {
      const user = await person(`${label}-user-${i}`);
      const room = await control.createRoom({
        title: `${label} ${i}`,
        type: "direct",
        members: [user.id, bot.id],
      });
      return { roomId: room.id, kind: "direct" as const, members: [user.id] };
    }),
  );
  rooms.push(...directs);
  for (let g = 0; g < settings.groupRooms; g++) {
    const members = await Promise.all(
      Array.from({ length: settings.groupMembers }, (_, i) => person(`${label}-g${g}-member-${i}`)),
    );
    const ids = members.map((m) => m.id);
    const room = await control.createRoom({
      title: `${label} group ${g}`,
      type: "group",
      members: [...ids, bot.id],
    });
    rooms.push({ roomId: room.id, kind: "group", members: ids });
  }
  return { bot, rooms };
}

/** A small seeded PRNG (mulberry32), so that a scenario's burst is the same on every run. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Plans the burst: which user writes what, where, in which order. */
export function planBurst(
  scene: Scene,
  settings: WorkloadSettings,
  label: string,
  random: () => number,
): PlannedMessage[] {
  const directs = scene.rooms.filter((r) => r.kind === "direct");
  const groups = scene.rooms.filter((r) => r.kind === "group");
  const maxCount = Math.min(Math.max(2, settings.maxCount), MAX_COUNT);
  const pick = <T>(items: T[]): T => items[Math.floor(random() * items.length)] as T;
  const plan: PlannedMessage[] = [];
  for (let seq = 0; seq < settings.messages; seq++) {
    const room = groups.length > 0 && random() < settings.groupShare ? pick(groups) : pick(directs);
    const personId = pick(room.members);
    if (random() < settings.countShare) {
      const n = 2 + Math.floor(random() * (maxCount - 1));
      const tag = `${label}-${seq}`;
      const expected = Array.from({ length: n }, (_, i) => `${tag} ${i + 1}/${n}`);
      plan.push({ seq, room, personId, text: `count ${n} ${tag}`, expected, tag });
    } else {
      plan.push({ seq, room, personId, text: "ping", expected: [PONG] });
    }
  }
  return plan;
}
