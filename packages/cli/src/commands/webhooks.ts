import { readBool, readString } from "@sparkbot/core";
import { resolveWebexAccess } from "../lib/webex-access.js";
import { WebexRest, type RestWebhook } from "../lib/webex-rest.js";

/** The webhooks a SparkBot receiver needs, one per resource and event. */
export const WANTED_WEBHOOKS = [
  { resource: "messages", event: "created" },
  { resource: "attachmentActions", event: "created" },
  { resource: "memberships", event: "created" },
] as const;

/** Settings of `sparkbot webhooks <action>`. */
export interface WebhooksOptions {
  action: "list" | "sync" | "delete";
  /** For delete: the webhook ids (or `all`). */
  ids: string[];
  all: boolean;
  json: boolean;
  sessionPath: string;
  env: NodeJS.ProcessEnv;
  write?: (line: string) => void;
}

/** Lists, syncs or deletes the bot account's webhooks. Resolves with the exit code. */
export async function runWebhooks(options: WebhooksOptions): Promise<number> {
  const write = options.write ?? ((line: string) => process.stdout.write(`${line}\n`));
  const access = resolveWebexAccess(options.env, options.sessionPath);
  const rest = new WebexRest(access.apiUrl, access.token);
  if (options.action === "list") {
    const hooks = await rest.listWebhooks();
    if (options.json) write(JSON.stringify(hooks.map(withoutSecret)));
    else if (hooks.length === 0) write(`no webhooks (${access.source}, ${access.apiUrl})`);
    else hooks.forEach((hook) => write(describe(hook)));
    return 0;
  }
  if (options.action === "delete") return deleteWebhooks(rest, options, write);
  if (access.webhookUrl === undefined) {
    write("sparkbot webhooks sync: WEBHOOK_URL is not set: set it to the receiver's public URL");
    return 1;
  }
  const secret = readString(options.env, "WEBHOOK_SECRET");
  if (secret === undefined) {
    write(
      "sparkbot webhooks sync: WEBHOOK_SECRET is not set: sync needs the secret your receivers verify with (receivers with no WEBHOOK_SECRET register their own webhooks at start)",
    );
    return 1;
  }
  const path = readString(options.env, "WEBHOOK_PATH", "/sparkbot") ?? "/sparkbot";
  const removeOthers = readBool(options.env, "WEBHOOK_REMOVE_OTHERS", true);
  const targetUrl = `${access.webhookUrl.replace(/\/+$/, "")}${path}`;
  await syncWebhooks(rest, { targetUrl, secret, removeOthers }, write);
  return 0;
}

/**
 * Makes one active webhook per WANTED_WEBHOOKS entry point at `targetUrl` with `secret`:
 * updates a matching one (same resource, event and target), creates a missing one, and deletes
 * the account's others when `removeOthers`.
 */
export async function syncWebhooks(
  rest: WebexRest,
  settings: { targetUrl: string; secret: string; removeOthers: boolean },
  write: (line: string) => void,
): Promise<void> {
  const existing = await rest.listWebhooks();
  const kept = new Set<string>();
  for (const wanted of WANTED_WEBHOOKS) {
    const name = `sparkbot ${wanted.resource}/${wanted.event}`;
    const match = existing.find(
      (hook) =>
        hook.resource === wanted.resource &&
        hook.event === wanted.event &&
        hook.targetUrl === settings.targetUrl &&
        !kept.has(hook.id),
    );
    const { targetUrl, secret } = settings;
    const hook = match
      ? await rest.updateWebhook(match.id, { name, targetUrl, secret, status: "active" })
      : await rest.createWebhook({ name, targetUrl, secret, ...wanted });
    kept.add(hook.id);
    write(`${match ? "updated" : "created"} ${describe(hook)}`);
  }
  if (!settings.removeOthers) return;
  for (const hook of existing.filter((candidate) => !kept.has(candidate.id))) {
    await rest.deleteWebhook(hook.id);
    write(`deleted ${describe(hook)}`);
  }
}

async function deleteWebhooks(
  rest: WebexRest,
  options: WebhooksOptions,
  write: (line: string) => void,
): Promise<number> {
  const ids = options.all ? (await rest.listWebhooks()).map((hook) => hook.id) : options.ids;
  if (ids.length === 0) {
    write("sparkbot webhooks delete: name the webhook ids to delete, or --all");
    return options.all ? 0 : 1;
  }
  for (const id of ids) {
    await rest.deleteWebhook(id);
    write(`deleted ${id}`);
  }
  return 0;
}

function withoutSecret(hook: RestWebhook): Omit<RestWebhook, "secret"> {
  const { secret: _secret, ...rest } = hook;
  return rest;
}

function describe(hook: RestWebhook): string {
  const status = hook.status ?? "active";
  return `${hook.id}  ${status.padEnd(8)} ${hook.resource}/${hook.event}  ${hook.targetUrl}  "${hook.name}"`;
}
