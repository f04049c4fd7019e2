import type { Redis } from "ioredis";
import {
  handledEventsKey,
  parseHandledEvents,
  wantedWebhooks,
  type Logger,
  type WebexClient,
} from "@sparkbot/core";
import { describeRedis } from "../redis.js";
import { registrationLockKey, withRedisLock, type LockOptions } from "./lock.js";
import { reconcileWebhooks, type ReconcileReport, type WantedWebhook } from "./reconcile.js";
import { resolveWebhookSecret } from "./secret.js";

export interface RegistrarOptions {
  webex: WebexClient;
  redis: Redis;
  /** Key prefix (config.redisPrefix) for the lock and the generated secret. */
  prefix: string;
  /** `WEBHOOK_URL`; undefined means no registration (one log line says so). */
  webhookUrl: string | undefined;
  webhookPath: string;
  /** `WEBHOOK_SECRET`; undefined means the one kept in Redis. */
  configuredSecret: string | undefined;
  /**
   * A generated secret remembered from an earlier run (a local cache): used at once, so that
   * deliveries are verified while Redis is away, and until Redis confirms it.
   */
  knownSecret?: string | undefined;
  /** Called with the secret once Redis confirmed it (to refresh the local cache). */
  onSecret?: (secret: string) => void;
  /** Called after each reconciliation (the backfill starts when a webhook was inactive). */
  onReconciled?: (report: ReconcileReport) => void;
  removeOtherWebhooks: boolean;
  /** Seconds between re-checks once registered. */
  checkIntervalSeconds: number;
  logger: Logger;
  /**
   * The webhooks to register; default: those the bot needs, from what the workers published in
   * Redis (see `wantedWebhooksFromRedis`).
   */
  wanted?: readonly WantedWebhook[];
  /** How often the workers' published events are looked at for a change (default 2000 ms). */
  handledEventsPollMs?: number;
  lock?: LockOptions;
  /** First retry delay after a failure, doubled up to the check interval (default 1000 ms). */
  retryDelayMs?: number;
}

/** Keeps the webhook secret, the bot's identity and its webhooks in place. */
export interface Registrar {
  /** The webhook secret, once loaded. */
  secret(): string | undefined;
  /** The bot's person id, once known. */
  botId(): string | undefined;
  /** True once the webhooks were registered (or when there is nothing to register). */
  registered(): boolean;
  /** Runs one round now: secret, identity, then (under the lock) reconciliation. */
  runOnce(): Promise<ReconcileReport | undefined>;
  /** Stops the periodic checks and waits for a round in progress. */
  stop(): Promise<void>;
}

/** Longest wait between retries of a failed round. */
const MAX_RETRY_DELAY_MS = 30_000;

/** The webhooks registered until a worker has said what its bot handles: every event, unfiltered. */
export const WANTED_WEBHOOKS: readonly WantedWebhook[] = wantedWebhooks(undefined, undefined);

/**
 * The webhooks the bot needs (see core's `wantedWebhooks`), from what the workers published
 * under `prefix`, and the published text they came from.
 */
export async function wantedWebhooksFromRedis(
  redis: Redis,
  prefix: string,
  botId: string,
): Promise<{ wanted: WantedWebhook[]; published: string | null }> {
  const published = await redis.get(handledEventsKey(prefix));
  return { wanted: wantedWebhooks(parseHandledEvents(published), botId), published };
}

/** Starts the first round at once, then re-checks periodically (sooner after a failure). */
export function startRegistrar(options: RegistrarOptions): Registrar {
  const { logger } = options;
  const checkMs = options.checkIntervalSeconds * 1000;
  const targetUrl =
    options.webhookUrl === undefined ? undefined : options.webhookUrl + options.webhookPath;
  let secret: string | undefined = options.configuredSecret ?? options.knownSecret;
  let secretConfirmed = options.configuredSecret !== undefined;
  let botId: string | undefined;
  let registered = targetUrl === undefined;
  let failures = 0;
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let current: Promise<unknown> = Promise.resolve();
  /** What the workers had published when the webhooks were last reconciled. */
  let reconciledFor: string | null | undefined;
  /** A change of what the workers published was seen, and its round not finished yet. */
  let changeSeen = false;

  if (targetUrl === undefined) {
    logger.info("WEBHOOK_URL is not set: webhooks are not registered", {});
  }

  const round = async (): Promise<ReconcileReport | undefined> => {
    if (options.redis.status !== "ready") throw new Error(describeRedis(options.redis));
    if (!secretConfirmed) {
      secret = await resolveWebhookSecret(options.redis, options.prefix, undefined, secret);
      secretConfirmed = true;
      options.onSecret?.(secret);
    }
    botId ??= (await options.webex.people.me()).id;
    if (targetUrl === undefined) return undefined;
    const me = botId;
    let publishedNow: string | null | undefined;
    const result = await withRedisLock(
      options.redis,
      registrationLockKey(options.prefix),
      async () => {
        let wanted = options.wanted;
        if (wanted === undefined) {
          const fromRedis = await wantedWebhooksFromRedis(options.redis, options.prefix, me);
          wanted = fromRedis.wanted;
          publishedNow = fromRedis.published;
        }
        return reconcileWebhooks(options.webex, {
          targetUrl,
          secret: secret ?? "",
          wanted,
          removeOthers: options.removeOtherWebhooks,
          logger,
        });
      },
      options.lock,
    );
    reconciledFor = publishedNow;
    if (!result.acquired) throw new Error("another receiver held the registration lock too long");
    registered = true;
    logReport(logger, targetUrl, result.value);
    options.onReconciled?.(result.value);
    return result.value;
  };

  const runOnce = (): Promise<ReconcileReport | undefined> => {
    const run = current.then(round);
    current = run.catch(() => undefined);
    return run;
  };

  const schedule = (delayMs: number) => {
    if (stopped) return;
    clearTimeout(timer);
    timer = setTimeout(() => void tick(), delayMs);
    timer.unref();
  };
  const tick = async () => {
    changeSeen = false;
    try {
      await runOnce();
      failures = 0;
      if (targetUrl !== undefined) schedule(checkMs); // without a URL, one good round is all
    } catch (error) {
      failures += 1;
      const delay = Math.min(
        (options.retryDelayMs ?? 1000) * 2 ** (failures - 1),
        checkMs,
        MAX_RETRY_DELAY_MS,
      );
      logger.warn("webhook registration round failed; retrying", {
        error: error instanceof Error ? error.message : String(error),
        retryInMs: delay,
      });
      schedule(delay);
    }
  };
  // When Redis comes back after a failed round, retry at once rather than at the next timer.
  const onRedisReady = () => {
    if (failures > 0) schedule(0);
  };
  options.redis.on("ready", onRedisReady);
  // A worker starting with another bot (new membership handlers) changes the webhooks needed:
  // look at what the workers published every few seconds, and reconcile at once on a change.
  const watch =
    options.wanted !== undefined || targetUrl === undefined
      ? undefined
      : setInterval(() => {
          if (reconciledFor === undefined || options.redis.status !== "ready") return;
          options.redis.get(handledEventsKey(options.prefix)).then(
            (published) => {
              if (published !== reconciledFor && !stopped && !changeSeen) {
                changeSeen = true;
                schedule(0);
              }
            },
            () => undefined,
          );
        }, options.handledEventsPollMs ?? 2000);
  watch?.unref();
  void tick();

  return {
    secret: () => secret,
    botId: () => botId,
    registered: () => registered,
    runOnce,
    async stop() {
      stopped = true;
      clearTimeout(timer);
      clearInterval(watch);
      options.redis.off("ready", onRedisReady);
      await current;
    },
  };
}

function logReport(logger: Logger, targetUrl: string, report: ReconcileReport): void {
  const changed =
    report.created.length +
    report.updated.length +
    report.reactivated.length +
    report.removed.length;
  const fields = { targetUrl, ...report };
  if (report.reactivated.length > 0) logger.warn("inactive webhooks set active again", fields);
  else if (changed > 0) logger.info("webhooks registered", fields);
  else logger.debug("webhooks checked, nothing to change", fields);
}
