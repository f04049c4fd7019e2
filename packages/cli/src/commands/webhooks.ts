import { Redis } from "ioredis";
import {
  createWebexClient,
  loadCommonConfig,
  loadReceiverConfig,
  silentLogger,
  type Webhook,
  type WebexClient,
} from "@sparkbot/core";
import {
  reconcileWebhooks,
  registrationLockKey,
  resolveWebhookSecret,
  wantedWebhooksFromRedis,
  withRedisLock,
  type ReconcileReport,
} from "@sparkbot/receiver";
import { webexEnv } from "../lib/webex-access.js";

/** Settings of `sparkbot webhooks <action>`. */
export interface WebhooksOptions {
  action: "list" | "sync" | "delete";
  /** For delete: the webhook ids. */
  ids: string[];
  /** For delete: every webhook of the account. */
  all: boolean;
  json: boolean;
  sessionPath: string;
  env: NodeJS.ProcessEnv;
  write?: (line: string) => void;
}

/**
 * Lists, syncs or deletes the bot account's webhooks through core's WebexClient. `sync` does
 * what a starting receiver does, with its code: the same secret (WEBHOOK_SECRET, or the one the
 * receivers keep in Redis), under the same Redis lock, create-or-update. Resolves with the exit code.
 */
export async function runWebhooks(options: WebhooksOptions): Promise<number> {
  const write = options.write ?? ((line: string) => process.stdout.write(`${line}\n`));
  const { env, source } = webexEnv(options.env, options.sessionPath);
  const common = loadCommonConfig(env);
  const webex = createWebexClient({ accessToken: common.accessToken, apiUrl: common.webexApiUrl });
  if (options.action === "list") {
    const hooks = await webex.webhooks.list();
    if (options.json) write(JSON.stringify(hooks.map(withoutSecret)));
    else if (hooks.length === 0) write(`no webhooks (${source}, ${common.webexApiUrl})`);
    else hooks.forEach((hook) => write(describe(hook)));
    return 0;
  }
  if (options.action === "delete") return deleteWebhooks(webex, options, write);
  const report = await syncWebhooks(webex, env);
  if (report === undefined) {
    write("sparkbot webhooks sync: WEBHOOK_URL is not set: set it to the receiver's public URL");
    return 1;
  }
  for (const [what, ids] of Object.entries(report)) {
    for (const id of ids as string[]) write(`${what} ${id}`);
  }
  return 0;
}

/**
 * One registration round as the receiver runs it, from the receiver configuration in `env`.
 * Resolves undefined when `WEBHOOK_URL` is not set.
 */
export async function syncWebhooks(
  webex: WebexClient,
  env: NodeJS.ProcessEnv,
): Promise<ReconcileReport | undefined> {
  const config = loadReceiverConfig(env);
  if (config.webhookUrl === undefined) return undefined;
  const redis = new Redis(config.redisUrl, { maxRetriesPerRequest: 1, lazyConnect: true });
  redis.on("error", () => undefined);
  try {
    await redis.connect();
    const secret = await resolveWebhookSecret(redis, config.redisPrefix, config.webhookSecret);
    const botId = (await webex.people.me()).id;
    // The receivers' registration lock, so a sync never races a starting receiver.
    const lockKey = registrationLockKey(config.redisPrefix);
    const result = await withRedisLock(redis, lockKey, async () =>
      reconcileWebhooks(webex, {
        targetUrl: config.webhookUrl + config.webhookPath,
        secret,
        // What the workers' bot handles, as the receivers register it.
        wanted: (await wantedWebhooksFromRedis(redis, config.redisPrefix, botId)).wanted,
        removeOthers: config.removeOtherWebhooks,
        logger: silentLogger,
      }),
    );
    if (!result.acquired) throw new Error("a receiver held the registration lock too long; retry");
    return result.value;
  } finally {
    redis.disconnect();
  }
}

async function deleteWebhooks(
  webex: WebexClient,
  options: WebhooksOptions,
  write: (line: string) => void,
): Promise<number> {
  const ids = options.all ? (await webex.webhooks.list()).map((hook) => hook.id) : options.ids;
  if (ids.length === 0) {
    write(
      options.all ? "no webhooks to delete" : "sparkbot webhooks delete: name the ids, or --all",
    );
    return options.all ? 0 : 1;
  }
  for (const id of ids) {
    await webex.webhooks.remove(id);
    write(`deleted ${id}`);
  }
  return 0;
}

function withoutSecret(hook: Webhook): Omit<Webhook, "secret"> {
  const { secret: _secret, ...rest } = hook;
  return rest;
}

function describe(hook: Webhook): string {
  const status = hook.status ?? "active";
  return `${hook.id}  ${status.padEnd(8)} ${hook.resource}/${hook.event}  ${hook.targetUrl}  "${hook.name}"`;
}
