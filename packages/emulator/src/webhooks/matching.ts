import type { Person } from "@sparkbot/core";
import type { WebhookRecord } from "../state/records.js";

/** An event the emulator may deliver: what happened, who did it, and to whom it is visible. */
export interface EmulatorEvent {
  resource: "messages" | "memberships" | "rooms" | "attachmentActions";
  event: "created" | "updated" | "deleted";
  actorId: string;
  data: Record<string, unknown>;
  /** True when the webhook's owner may hear of this event at all (e.g. is in the room). */
  visibleTo(owner: Person): boolean;
}

/**
 * The webhooks that should receive an event: active, of the right resource and event, owned by
 * someone who can see it, whose filter matches; bots in group rooms hear only messages that
 * mention them (and their own messages, which Webex also reports).
 */
export function webhooksFor(
  event: EmulatorEvent,
  webhooks: Iterable<WebhookRecord>,
  people: ReadonlyMap<string, Person>,
): WebhookRecord[] {
  const matches: WebhookRecord[] = [];
  for (const record of webhooks) {
    const { webhook } = record;
    const owner = people.get(record.ownerId);
    if (!owner || webhook.status === "inactive") continue;
    if (!resourceMatches(webhook.resource, event.resource)) continue;
    if (webhook.event !== "all" && webhook.event !== event.event) continue;
    if (!event.visibleTo(owner) || !botMayHear(event, owner)) continue;
    if (!filterMatches(webhook.filter, event.data, owner.id)) continue;
    matches.push(record);
  }
  return matches;
}

/** `all` covers every resource but `attachmentActions`, which Webex leaves out of the firehose. */
function resourceMatches(wanted: string, actual: string): boolean {
  if (wanted === "all") return actual !== "attachmentActions";
  return wanted === actual;
}

/** In group rooms a bot hears only messages that mention it, and its own. */
function botMayHear(event: EmulatorEvent, owner: Person): boolean {
  if (event.resource !== "messages" || owner.type !== "bot") return true;
  if (event.data["roomType"] !== "group" || event.actorId === owner.id) return true;
  const mentioned = event.data["mentionedPeople"];
  return Array.isArray(mentioned) && mentioned.includes(owner.id);
}

/**
 * Webex filters are `key=value` pairs joined by `&`. `mentionedPeople` matches when the id (or
 * `me`, the webhook's owner) is among those mentioned; `hasFiles` is `true`/`false`.
 */
export function filterMatches(
  filter: string | undefined,
  data: Record<string, unknown>,
  ownerId: string,
): boolean {
  if (filter === undefined || filter.trim() === "") return true;
  for (const [key, rawValue] of new URLSearchParams(filter)) {
    const value = rawValue === "me" ? ownerId : rawValue;
    if (key === "mentionedPeople") {
      const mentioned = data["mentionedPeople"];
      if (!Array.isArray(mentioned) || !mentioned.includes(value)) return false;
    } else if (key === "hasFiles") {
      const files = data["files"];
      const hasFiles = Array.isArray(files) && files.length > 0;
      if (String(hasFiles) !== value) return false;
    } else if (String(data[key]) !== value) {
      return false;
    }
  }
  return true;
}
