// Counts what the bot said, per message of the burst: from the emulator's rooms (the record of
// truth) for lost and duplicated replies, and from its `message` events (one clock, this
// process's) for when each reply arrived, hence the time to recover.
import { performance } from "node:perf_hooks";
import type { Message } from "@sparkbot/core";
import type { EmulatorControl, RunningEmulator } from "@sparkbot/emulator";
import { PONG, type PlannedMessage, type Scene, type SceneRoom } from "./workload.js";

/** Per kind of room: what was expected, what came, what was lost or said twice. */
export interface AuditRow {
  kind: SceneRoom["kind"];
  /** Messages of the burst written in rooms of this kind. */
  messages: number;
  expectedReplies: number;
  /** Bot replies matching an expected one (duplicates included). */
  deliveredReplies: number;
  /** Expected replies that never came. */
  lost: number;
  /** Replies said more than once (each extra copy counts one). */
  duplicated: number;
  /** Messages with at least one lost reply / at least one duplicated reply. */
  messagesLost: number;
  messagesDuplicated: number;
  /** Bot messages that are no expected reply at all (an error text, a usage line...). */
  unexpected: number;
  /** A few of them, for the report. */
  unexpectedSamples: string[];
  /** A few duplicated `count` replies with when each copy was created (evidence). */
  duplicateSamples: { text: string; created: string[] }[];
}

/** Text a reply is compared by: its markdown (what the bot sent), else its text. */
function replyText(message: Message): string {
  return message.markdown ?? message.text ?? "";
}

/** Records the burst's sends and the bot's replies as they happen. */
export class ReplyTracker {
  private readonly sentAt = new Map<number, number>();
  /** Per room: arrival times of `**pong**`, in order. */
  private readonly pongs = new Map<string, number[]>();
  /** Per expected text of a `count`: the first arrival. */
  private readonly firstArrival = new Map<string, number>();
  private lastBotMessage = performance.now();
  /** After `audit`: rooms short of pongs, and `count` tags short of replies. */
  readonly short = { rooms: new Set<string>(), tags: new Set<string>() };
  private readonly listener = (message: Message): void => this.onMessage(message);

  constructor(
    private readonly emulator: RunningEmulator,
    private readonly scene: Scene,
  ) {
    emulator.events.on("message", this.listener);
  }

  dispose(): void {
    this.emulator.events.off("message", this.listener);
  }

  /** Notes that message `seq` was stored by the emulator now. */
  sent(seq: number): void {
    this.sentAt.set(seq, performance.now());
  }

  /** When the bot last said anything (performance.now()). */
  lastReplyAt(): number {
    return this.lastBotMessage;
  }

  private onMessage(message: Message): void {
    if (message.personId !== this.scene.bot.id) return;
    const now = performance.now();
    this.lastBotMessage = now;
    const text = replyText(message);
    if (text === PONG) {
      const list = this.pongs.get(message.roomId) ?? [];
      list.push(now);
      this.pongs.set(message.roomId, list);
    } else if (!this.firstArrival.has(text)) {
      this.firstArrival.set(text, now);
    }
  }

  /** True once every message sent so far has all its replies (by arrival counts). */
  complete(plan: readonly PlannedMessage[]): boolean {
    return this.doneAt(plan, Number.POSITIVE_INFINITY) !== undefined;
  }

  /**
   * When every message sent by `until` had all its replies (a room counts once it holds as many
   * pongs as pings sent there by then); undefined while some are missing.
   */
  doneAt(plan: readonly PlannedMessage[], until: number): number | undefined {
    let latest = 0;
    const pingsByRoom = new Map<string, number>();
    for (const message of plan) {
      const at = this.sentAt.get(message.seq);
      if (at === undefined || at > until) continue;
      if (message.tag === undefined) {
        pingsByRoom.set(message.room.roomId, (pingsByRoom.get(message.room.roomId) ?? 0) + 1);
        continue;
      }
      for (const text of message.expected) {
        const arrived = this.firstArrival.get(text);
        if (arrived === undefined) return undefined;
        latest = Math.max(latest, arrived);
      }
    }
    for (const [roomId, pings] of pingsByRoom) {
      const arrived = this.pongs.get(roomId)?.[pings - 1];
      if (arrived === undefined) return undefined;
      latest = Math.max(latest, arrived);
    }
    return latest;
  }

  /** Counts every room's messages in the emulator against the plan, by kind of room. */
  async audit(control: EmulatorControl, plan: readonly PlannedMessage[]): Promise<AuditRow[]> {
    const rows = new Map<SceneRoom["kind"], AuditRow>();
    const row = (kind: SceneRoom["kind"]): AuditRow => {
      let found = rows.get(kind);
      if (found === undefined) {
        found = emptyRow(kind);
        rows.set(kind, found);
      }
      return found;
    };
    for (const room of this.scene.rooms) row(room.kind);
    for (const room of this.scene.rooms) {
      const mine = plan.filter((m) => m.room.roomId === room.roomId);
      const bot = (await control.roomMessages(room.roomId)).filter(
        (m) => m.personId === this.scene.bot.id,
      );
      const target = row(room.kind);
      const lostBefore = target.lost;
      auditRoom(target, mine, bot, this.short.tags);
      if (target.lost > lostBefore) this.short.rooms.add(room.roomId);
    }
    return [...rows.values()];
  }
}

function emptyRow(kind: SceneRoom["kind"]): AuditRow {
  return {
    kind,
    messages: 0,
    expectedReplies: 0,
    deliveredReplies: 0,
    lost: 0,
    duplicated: 0,
    messagesLost: 0,
    messagesDuplicated: 0,
    unexpected: 0,
    unexpectedSamples: [],
    duplicateSamples: [],
  };
}

/** Adds one room's figures to `row`: its planned messages against the bot's replies there. */
function auditRoom(
  row: AuditRow,
  planned: PlannedMessage[],
  bot: Message[],
  shortTags: Set<string>,
): void {
  const occurrences = new Map<string, number>();
  for (const message of bot) {
    const text = replyText(message);
    occurrences.set(text, (occurrences.get(text) ?? 0) + 1);
  }
  const pings = planned.filter((m) => m.tag === undefined).length;
  const pongs = occurrences.get(PONG) ?? 0;
  occurrences.delete(PONG);
  row.messages += planned.length;
  row.expectedReplies += pings;
  row.deliveredReplies += pongs;
  // Pongs are identical: per room, only their number can be compared.
  row.lost += Math.max(0, pings - pongs);
  row.messagesLost += Math.max(0, pings - pongs);
  row.duplicated += Math.max(0, pongs - pings);
  row.messagesDuplicated += Math.max(0, pongs - pings);
  for (const message of planned) {
    if (message.tag === undefined) continue;
    let lost = 0;
    let duplicated = 0;
    for (const text of message.expected) {
      const seen = occurrences.get(text) ?? 0;
      occurrences.delete(text);
      row.expectedReplies += 1;
      row.deliveredReplies += seen;
      if (seen === 0) lost += 1;
      else duplicated += seen - 1;
      if (seen > 1 && row.duplicateSamples.length < 10) {
        const created = bot.filter((m) => replyText(m) === text).map((m) => m.created);
        row.duplicateSamples.push({ text, created });
      }
    }
    row.lost += lost;
    row.duplicated += duplicated;
    if (lost > 0) {
      row.messagesLost += 1;
      shortTags.add(message.tag);
    }
    if (duplicated > 0) row.messagesDuplicated += 1;
  }
  for (const [text, count] of occurrences) {
    row.unexpected += count;
    if (row.unexpectedSamples.length < 5) row.unexpectedSamples.push(text.slice(0, 120));
  }
}
