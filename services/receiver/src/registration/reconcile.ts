import {
  WebexApiError,
  type Logger,
  type WantedWebhook,
  type Webhook,
  type WebexClient,
} from "@sparkbot/core";

/** One webhook the receiver wants to exist (core's: `resource`, `event`, optional `filter`). */
export type { WantedWebhook };

export interface ReconcileOptions {
  /** Where Webex must POST: `WEBHOOK_URL + webhookPath`. */
  targetUrl: string;
  secret: string;
  wanted: readonly WantedWebhook[];
  /** Delete the bot account's webhooks that are not wanted (as the original did). */
  removeOthers: boolean;
  /** Accepted for callers that pass one; reconciliation itself logs nothing. */
  logger?: Logger;
}

/** What a reconciliation did, by webhook id. */
export interface ReconcileReport {
  created: string[];
  updated: string[];
  reactivated: string[];
  removed: string[];
  unchanged: string[];
}

/** The name SparkBot gives the webhook of `resource/event`. */
export function webhookName(wanted: WantedWebhook): string {
  return `SparkBot ${wanted.resource}/${wanted.event}`;
}

/**
 * Makes the bot's webhooks match `wanted`: each one exists once, active, pointing at `targetUrl`
 * with `secret` and the wanted `filter`. Existing webhooks are updated in place (never deleted
 * and re-created, so no delivery is missed); one whose filter must change (Webex cannot change
 * a filter) is replaced by a new one, created before the old one is removed. Duplicates of a
 * wanted webhook are removed, and with `removeOthers` every other webhook of the account too.
 */
export async function reconcileWebhooks(
  webex: WebexClient,
  options: ReconcileOptions,
): Promise<ReconcileReport> {
  const report: ReconcileReport = {
    created: [],
    updated: [],
    reactivated: [],
    removed: [],
    unchanged: [],
  };
  const hooks = await webex.webhooks.list();
  const kept = new Set<string>();
  const toRemove: Webhook[] = [];

  for (const wanted of options.wanted) {
    const [keep, ...extra] = candidatesFor(hooks, wanted, options.targetUrl, kept);
    toRemove.push(...extra);
    extra.forEach((hook) => kept.add(hook.id));
    if (keep === undefined || (keep.filter ?? "") !== (wanted.filter ?? "")) {
      const created = await webex.webhooks.create({
        name: webhookName(wanted),
        targetUrl: options.targetUrl,
        resource: wanted.resource,
        event: wanted.event,
        secret: options.secret,
        ...(wanted.filter !== undefined ? { filter: wanted.filter } : {}),
      });
      report.created.push(created.id);
      if (keep !== undefined) {
        kept.add(keep.id);
        toRemove.push(keep);
      }
      continue;
    }
    kept.add(keep.id);
    const stale =
      keep.targetUrl !== options.targetUrl ||
      keep.secret !== options.secret ||
      keep.name !== webhookName(wanted);
    if (!stale && keep.status !== "inactive") {
      report.unchanged.push(keep.id);
      continue;
    }
    await webex.webhooks.update(keep.id, {
      name: webhookName(wanted),
      targetUrl: options.targetUrl,
      secret: options.secret,
      status: "active",
    });
    (keep.status === "inactive" ? report.reactivated : report.updated).push(keep.id);
  }

  if (options.removeOthers) toRemove.push(...hooks.filter((hook) => !kept.has(hook.id)));
  for (const hook of toRemove) {
    await removeIfPresent(webex, hook.id);
    report.removed.push(hook.id);
  }
  return report;
}

/**
 * Existing webhooks of `wanted`'s resource and event that are ours (by URL or by name), best
 * first: the wanted filter, then ours by URL, then active.
 */
function candidatesFor(
  hooks: readonly Webhook[],
  wanted: WantedWebhook,
  targetUrl: string,
  taken: ReadonlySet<string>,
): Webhook[] {
  const score = (hook: Webhook) =>
    ((hook.filter ?? "") === (wanted.filter ?? "") ? 4 : 0) +
    (hook.targetUrl === targetUrl ? 2 : 0) +
    (hook.status === "inactive" ? 0 : 1);
  return hooks
    .filter(
      (hook) =>
        !taken.has(hook.id) &&
        hook.resource === wanted.resource &&
        hook.event === wanted.event &&
        (hook.targetUrl === targetUrl || hook.name === webhookName(wanted)),
    )
    .sort((a, b) => score(b) - score(a) || (a.created ?? "").localeCompare(b.created ?? ""));
}

async function removeIfPresent(webex: WebexClient, webhookId: string): Promise<void> {
  try {
    await webex.webhooks.remove(webhookId);
  } catch (error) {
    if (!(error instanceof WebexApiError && error.status === 404)) throw error;
  }
}
