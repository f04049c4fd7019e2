// One scenario's SparkBot: the emulator (in this process), a private AOF Redis, one receiver and
// two workers (from dist, running the fault bot), each of which can be killed and started again.
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Redis } from "ioredis";
import { QUEUE_NAME } from "@sparkbot/core";
import {
  EmulatorControl,
  startEmulator,
  type ControlPerson,
  type DeliveryRecord,
  type RunningEmulator,
} from "@sparkbot/emulator";
import { sleep, waitForHttp } from "../lib/net.js";
import {
  startReceiverProcess,
  startWorkerProcess,
  type ReceiverProcess,
  type ServiceEnv,
  type WorkerProcess,
} from "../lib/services.js";
import { createBot } from "../lib/scene.js";
import { addSamples, scrapeSamples, type Samples } from "./metrics.js";
import { createPrivateRedis, type PrivateRedis } from "./redis-server.js";

/** How a scenario's stack is configured. */
export interface StackSettings {
  root: string;
  label: string;
  workers: number;
  workerConcurrency: number;
  /** `WORKER_LOCK_DURATION_MS` / `WORKER_STALLED_INTERVAL_MS` of the workers. */
  lockDurationMs: number;
  stalledIntervalMs: number;
  /** `WEBEX_TIMEOUT_MS` of both services (unset: their default). */
  webexTimeoutMs?: number;
  logLevel: string;
}

/** Warn and error lines of the services, counted by `<service>: <message>`. */
export type LogCounts = Map<string, number>;

const FAULT_BOT = "bench/dist/faults/fault-bot.js";
/** How long a service may take to start: generous, the machine is shared and small. */
const START_TIMEOUT_MS = 60_000;

/** A running stack and the handles to hurt it. */
export class FaultStack {
  readonly logs: LogCounts = new Map();
  /** Counters of processes that were killed (scraped just before). */
  private readonly retired: Samples = new Map();
  /** Webhook deliveries the emulator could not make (target down, non-2xx, too slow). */
  failedDeliveries = 0;
  receiver: ReceiverProcess | undefined;
  readonly workers: (WorkerProcess | undefined)[] = [];
  private receiverPort: number | undefined;
  private readonly onDelivery = (delivery: DeliveryRecord): void => {
    if (!delivery.ok) this.failedDeliveries += 1;
  };

  private constructor(
    readonly settings: StackSettings,
    readonly emulator: RunningEmulator,
    readonly control: EmulatorControl,
    readonly bot: ControlPerson,
    readonly redis: PrivateRedis,
    /** A connection of the suite's own to the private Redis (queue counts). */
    readonly probe: Redis,
    private readonly journalRoot: string,
    private readonly secret: string,
    private readonly env: ServiceEnv,
  ) {
    emulator.events.on("delivery", this.onDelivery);
  }

  /** Starts everything and waits until the receiver's webhook is registered. */
  static async start(settings: StackSettings): Promise<FaultStack> {
    const emulator = await startEmulator();
    const control = new EmulatorControl(emulator.url);
    const redis = await createPrivateRedis(settings.label);
    const journalRoot = mkdtempSync(join(tmpdir(), `sparkbot-faults-journal-`));
    let probe: Redis | undefined;
    try {
      await redis.start();
      probe = new Redis(redis.url, { maxRetriesPerRequest: 1, lazyConnect: true });
      probe.on("error", () => undefined);
      await probe.connect();
      const bot = await createBot(control, `Fault${settings.label.replace(/\W/g, "")}`);
      const env: ServiceEnv = {
        root: settings.root,
        token: bot.token,
        apiUrl: emulator.apiUrl,
        redisUrl: redis.url,
        redisPrefix: `faults-${settings.label}`,
        logLevel: settings.logLevel,
      };
      const stack = new FaultStack(
        settings,
        emulator,
        control,
        bot,
        redis,
        probe,
        journalRoot,
        randomBytes(16).toString("hex"),
        env,
      );
      await Promise.all([
        stack.startReceiver(),
        ...Array.from({ length: settings.workers }, (_, i) => stack.startWorker(i)),
      ]);
      return stack;
    } catch (error) {
      probe?.disconnect();
      await redis.dispose();
      await emulator.close();
      rmSync(journalRoot, { recursive: true, force: true });
      throw error;
    }
  }

  private count(service: string, line: string): void {
    if (!line.startsWith("{")) return;
    try {
      const parsed = JSON.parse(line) as { level?: string; msg?: string; err?: unknown };
      if (parsed.level !== "warn" && parsed.level !== "error") return;
      // The error's text without ids and numbers, so that one kind of error is one key.
      const err =
        typeof parsed.err === "string"
          ? ` (${parsed.err.replace(/[0-9a-f-]{8,}|\d+/g, "…").slice(0, 120)})`
          : "";
      const key = `${service} ${parsed.level}: ${parsed.msg ?? "?"}${err}`;
      this.logs.set(key, (this.logs.get(key) ?? 0) + 1);
    } catch {
      // not a log line
    }
  }

  private timeoutEnv(): Record<string, string> {
    const ms = this.settings.webexTimeoutMs;
    return ms === undefined ? {} : { WEBEX_TIMEOUT_MS: String(ms) };
  }

  /** Starts the receiver (again: same port, same journal directory, same secret). */
  async startReceiver(): Promise<void> {
    const receiver = await startReceiverProcess(this.env, {
      secret: this.secret,
      register: true,
      name: "receiver",
      ...(this.receiverPort !== undefined ? { port: this.receiverPort } : {}),
      env: { JOURNAL_DIR: this.journalRoot, ...this.timeoutEnv() },
      onLine: (line) => this.count("receiver", line),
      readyTimeoutMs: START_TIMEOUT_MS,
    });
    this.receiver = receiver;
    this.receiverPort = Number(new URL(receiver.baseUrl).port);
    await this.waitForWebhook(receiver.webhookUrl);
  }

  /** kill -9 of the receiver. */
  async killReceiver(): Promise<void> {
    const receiver = this.receiver;
    if (receiver === undefined) return;
    addSamples(this.retired, await scrapeSamples(receiver.metricsUrl));
    receiver.handle.child.kill("SIGKILL");
    await receiver.handle.exited;
    this.receiver = undefined;
  }

  /** Starts worker `index` (again). */
  async startWorker(index: number): Promise<void> {
    this.workers[index] = await startWorkerProcess(this.env, {
      index: index + 1,
      concurrency: this.settings.workerConcurrency,
      env: {
        BOT_MODULE: join(this.settings.root, FAULT_BOT),
        WORKER_LOCK_DURATION_MS: String(this.settings.lockDurationMs),
        WORKER_STALLED_INTERVAL_MS: String(this.settings.stalledIntervalMs),
        ...this.timeoutEnv(),
      },
      onLine: (line) => this.count("worker", line),
      readyTimeoutMs: START_TIMEOUT_MS,
    });
  }

  /** kill -9 of worker `index`. */
  async killWorker(index: number): Promise<void> {
    const worker = this.workers[index];
    if (worker === undefined) return;
    addSamples(this.retired, await scrapeSamples(worker.metricsUrl));
    worker.handle.child.kill("SIGKILL");
    await worker.handle.exited;
    this.workers[index] = undefined;
  }

  /** Counters of every process of the scenario (killed ones up to their last scrape). */
  async samples(): Promise<Samples> {
    const all: Samples = new Map(this.retired);
    const live = [this.receiver?.metricsUrl, ...this.workers.map((w) => w?.metricsUrl)];
    for (const url of live) if (url !== undefined) addSamples(all, await scrapeSamples(url));
    return all;
  }

  /** Jobs still to run (waiting, active, delayed, prioritized, paused) and failed for good. */
  async queueCounts(): Promise<{ pending: number; failed: number } | undefined> {
    const key = (name: string): string => `faults-${this.settings.label}:${QUEUE_NAME}:${name}`;
    try {
      const [wait, active, paused, delayed, prioritized, failed] = await Promise.all([
        this.probe.llen(key("wait")),
        this.probe.llen(key("active")),
        this.probe.llen(key("paused")),
        this.probe.zcard(key("delayed")),
        this.probe.zcard(key("prioritized")),
        this.probe.zcard(key("failed")),
      ]);
      return { pending: wait + active + paused + delayed + prioritized, failed };
    } catch {
      return undefined; // Redis is down
    }
  }

  /** Events in the receiver's journal not yet replayed (undefined while no receiver answers). */
  async journalEvents(): Promise<number | undefined> {
    if (this.receiver === undefined) return undefined;
    const samples = await scrapeSamples(this.receiver.metricsUrl);
    return samples.get("sparkbot_receiver_journal_events");
  }

  /** The status of the bot's webhook (`inactive` once Webex gave up delivering). */
  async webhookStatus(): Promise<string | undefined> {
    const hooks = await this.control.webhooks();
    return hooks.find((hook) => hook.ownerId === this.bot.id)?.status;
  }

  private async waitForWebhook(targetUrl: string): Promise<void> {
    const deadline = Date.now() + 20_000;
    while (Date.now() < deadline) {
      const hooks = await this.control.webhooks();
      const ok = hooks.some(
        (hook) =>
          hook.ownerId === this.bot.id && hook.targetUrl === targetUrl && hook.status === "active",
      );
      if (ok) return;
      await sleep(100);
    }
    throw new Error(`no active webhook to ${targetUrl} within 20 s`);
  }

  /** Waits until the receiver answers `/readyz` (Redis takes writes again, webhook in place). */
  async receiverReady(timeoutMs = 30_000): Promise<void> {
    if (this.receiver === undefined) return;
    await waitForHttp(`${this.receiver.baseUrl}/readyz`, timeoutMs, "receiver /readyz");
  }

  /** Stops every process (SIGTERM, then SIGKILL), Redis and the emulator; removes temp dirs. */
  async dispose(): Promise<void> {
    this.emulator.events.off("delivery", this.onDelivery);
    await Promise.all([
      this.receiver?.handle.stop(3_000),
      ...this.workers.map((worker) => worker?.handle.stop(3_000)),
    ]);
    this.probe.disconnect();
    await this.redis.dispose();
    await this.emulator.close();
    rmSync(this.journalRoot, { recursive: true, force: true });
  }
}
