import { monitorEventLoopDelay, performance, type IntervalHistogram } from "node:perf_hooks";
import type { Message } from "@sparkbot/core";
import type { DeliveryRecord, EmulatorControl, RunningEmulator } from "@sparkbot/emulator";
import { sleep } from "./net.js";
import { summarize, type LatencySummary } from "./stats.js";

/** A user who pings the bot in their own direct room with it. */
export interface Pinger {
  personId: string;
  roomId: string;
}

/** Outcome of one workload. */
export interface PingRunResult {
  sent: number;
  replied: number;
  /** Pings with no reply within the reply timeout. */
  timedOut: number;
  elapsedMs: number;
  /** Replies per second over the run (first ping to last reply). */
  perSecond: number;
  /** Webhook-to-reply latency: the ping stored by the emulator → the bot's reply stored. */
  latencyMs: LatencySummary;
  /** The first part of it: the ping stored → the bot's webhook endpoint answered the delivery. */
  webhookAnsweredMs: LatencySummary;
  /**
   * Event-loop delay of this process (emulator + driver) during the run: a stall here delays
   * the timestamps of pings and replies alike, so it bounds how much of a tail is the bench's.
   */
  emulatorLoopDelayMs: { p50: number; p99: number; max: number };
}

/** What the emulator's rooms say after a workload: every ping answered exactly once? */
export interface ReplyAudit {
  pings: number;
  replies: number;
  lost: number;
  duplicated: number;
}

interface Pending {
  sentAt: number | undefined;
  messageId?: string;
  answeredAt?: number;
  settle: (latencyMs: number | undefined) => void;
}

/**
 * Drives the ping workload through an emulator living in this process: sends each ping through
 * the control API and hears the bot's reply on the emulator's `message` event, so latency is
 * measured on one clock with no polling.
 */
export class PingDriver {
  private readonly pending = new Map<string, Pending[]>();
  private readonly listener = (message: Message): void => this.onMessage(message);
  private readonly deliveryListener = (delivery: DeliveryRecord): void => this.onDelivery(delivery);
  /** Pings by message id until their webhook delivery is answered. */
  private readonly byMessageId = new Map<string, Pending>();
  /** Webhook answer times of the current run (ms after the ping was stored). */
  private answered: number[] = [];

  constructor(
    private readonly emulator: RunningEmulator,
    private readonly control: EmulatorControl,
    private readonly botId: string,
    private readonly text = "ping",
  ) {
    emulator.events.on("message", this.listener);
    emulator.events.on("delivery", this.deliveryListener);
  }

  /** Stops listening to the emulator. */
  dispose(): void {
    this.emulator.events.off("message", this.listener);
    this.emulator.events.off("delivery", this.deliveryListener);
  }

  private onDelivery(delivery: DeliveryRecord): void {
    const entry = this.byMessageId.get(delivery.dataId);
    if (entry === undefined || !delivery.ok) return;
    this.byMessageId.delete(delivery.dataId);
    if (entry.sentAt !== undefined) this.answered.push(performance.now() - entry.sentAt);
  }

  private onMessage(message: Message): void {
    const queue = this.pending.get(message.roomId);
    if (queue === undefined) return;
    if (message.personId === this.botId) {
      const entry = queue.find((item) => item.sentAt !== undefined);
      if (entry === undefined) return;
      queue.splice(queue.indexOf(entry), 1);
      entry.settle(performance.now() - (entry.sentAt ?? 0));
    } else if (message.text === this.text) {
      const entry = queue.find((item) => item.sentAt === undefined);
      if (!entry) return;
      entry.sentAt = performance.now();
      entry.messageId = message.id;
      this.byMessageId.set(message.id, entry);
    }
  }

  /** Sends one ping and resolves with its latency, or undefined after `timeoutMs`. */
  ping(pinger: Pinger, timeoutMs: number): Promise<number | undefined> {
    return new Promise((resolve, reject) => {
      const queue = this.pending.get(pinger.roomId) ?? [];
      this.pending.set(pinger.roomId, queue);
      const timer = setTimeout(() => {
        const index = queue.indexOf(entry);
        if (index >= 0) queue.splice(index, 1);
        resolve(undefined);
      }, timeoutMs);
      const entry: Pending = {
        sentAt: undefined,
        settle: (latency) => {
          clearTimeout(timer);
          resolve(latency);
        },
      };
      queue.push(entry);
      this.control
        .sendMessage({ personId: pinger.personId, roomId: pinger.roomId, text: this.text })
        .catch((error: unknown) => {
          clearTimeout(timer);
          queue.splice(queue.indexOf(entry), 1);
          reject(error instanceof Error ? error : new Error(String(error)));
        });
    });
  }

  /**
   * Closed loop at saturation: every pinger keeps one ping in flight until `total` pings were
   * sent or `maxMs` passed.
   */
  async saturation(
    pingers: readonly Pinger[],
    options: { total: number; maxMs: number; replyTimeoutMs: number },
  ): Promise<PingRunResult> {
    const latencies: number[] = [];
    let sent = 0;
    let timedOut = 0;
    this.startRun();
    const start = performance.now();
    const deadline = start + options.maxMs;
    let lastReply = start;
    const loop = async (pinger: Pinger): Promise<void> => {
      while (sent < options.total && performance.now() < deadline) {
        sent++;
        const latency = await this.ping(pinger, options.replyTimeoutMs);
        if (latency === undefined) timedOut++;
        else {
          latencies.push(latency);
          lastReply = performance.now();
        }
      }
    };
    await Promise.all(pingers.map(loop));
    return result(sent, latencies, timedOut, lastReply - start, this.answered, this.loopDelayMs());
  }

  /** Open loop at a fixed offered rate: one ping every 1000/rate ms, round robin over pingers. */
  async fixedRate(
    pingers: readonly Pinger[],
    options: { perSecond: number; durationMs: number; replyTimeoutMs: number },
  ): Promise<PingRunResult> {
    const interval = 1000 / options.perSecond;
    const count = Math.max(1, Math.floor(options.durationMs / interval));
    const latencies: number[] = [];
    let timedOut = 0;
    const inFlight: Promise<void>[] = [];
    this.startRun();
    const start = performance.now();
    let lastReply = start;
    for (let i = 0; i < count; i++) {
      const due = start + i * interval;
      const wait = due - performance.now();
      if (wait > 1) await sleep(wait);
      const pinger = pingers[i % pingers.length];
      if (pinger === undefined) break;
      inFlight.push(
        this.ping(pinger, options.replyTimeoutMs).then((latency) => {
          if (latency === undefined) timedOut++;
          else {
            latencies.push(latency);
            lastReply = performance.now();
          }
        }),
      );
    }
    await Promise.all(inFlight);
    return result(count, latencies, timedOut, lastReply - start, this.answered, this.loopDelayMs());
  }

  private loopDelay: IntervalHistogram | undefined;

  private startRun(): void {
    this.answered = [];
    this.byMessageId.clear();
    this.loopDelay?.disable();
    this.loopDelay = monitorEventLoopDelay({ resolution: 5 });
    this.loopDelay.enable();
  }

  private loopDelayMs(): PingRunResult["emulatorLoopDelayMs"] {
    const histogram = this.loopDelay;
    if (histogram === undefined) return { p50: 0, p99: 0, max: 0 };
    histogram.disable();
    // The histogram is in ns and includes the sampling resolution (5 ms) itself.
    const ms = (ns: number): number => Math.max(0, ns / 1e6 - 5);
    return {
      p50: ms(histogram.percentile(50)),
      p99: ms(histogram.percentile(99)),
      max: ms(histogram.max),
    };
  }

  /** Counts, per room, the pings and the bot's replies the emulator holds. */
  async counts(
    pingers: readonly Pinger[],
  ): Promise<Map<string, { pings: number; replies: number }>> {
    const counts = new Map<string, { pings: number; replies: number }>();
    for (const pinger of pingers) {
      const messages = await this.control.roomMessages(pinger.roomId);
      counts.set(pinger.roomId, {
        pings: messages.filter((m) => m.personId === pinger.personId && m.text === this.text)
          .length,
        replies: messages.filter((m) => m.personId === this.botId).length,
      });
    }
    return counts;
  }

  /**
   * Waits `settleMs` (late duplicates would land then), then compares every room with its counts
   * `before` the workload: each ping must have exactly one reply.
   */
  async audit(
    pingers: readonly Pinger[],
    before: Map<string, { pings: number; replies: number }>,
    settleMs: number,
  ): Promise<ReplyAudit> {
    await sleep(settleMs);
    await this.emulator.deliveriesIdle();
    const after = await this.counts(pingers);
    const audit: ReplyAudit = { pings: 0, replies: 0, lost: 0, duplicated: 0 };
    for (const [roomId, now] of after) {
      const then = before.get(roomId) ?? { pings: 0, replies: 0 };
      const pings = now.pings - then.pings;
      const replies = now.replies - then.replies;
      audit.pings += pings;
      audit.replies += replies;
      audit.lost += Math.max(0, pings - replies);
      audit.duplicated += Math.max(0, replies - pings);
    }
    return audit;
  }
}

function result(
  sent: number,
  latencies: number[],
  timedOut: number,
  elapsedMs: number,
  answered: number[],
  emulatorLoopDelayMs: PingRunResult["emulatorLoopDelayMs"],
): PingRunResult {
  return {
    sent,
    replied: latencies.length,
    timedOut,
    elapsedMs,
    perSecond: elapsedMs > 0 ? (latencies.length * 1000) / elapsedMs : 0,
    latencyMs: summarize(latencies),
    webhookAnsweredMs: summarize(answered),
    emulatorLoopDelayMs,
  };
}
