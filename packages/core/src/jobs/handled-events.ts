import { MEMBERSHIP_EVENT_KINDS, type MembershipEventKind } from "../bot/event-types.js";

/*
 * Which webhooks the receiver registers depends on the bot the workers run, which the receiver
 * never loads: each worker publishes what its bot handles in Redis at start, and the receiver's
 * registration reads it. Until a worker has published, the receiver registers every event a bot
 * may handle, unfiltered.
 */

/** What a bot handles beyond messages and card actions (which every bot takes). */
export interface HandledEvents {
  /** The membership events the bot has handlers for. */
  memberships: readonly MembershipEventKind[];
}

/** One webhook to register: `resource/event`, with a Webex filter when it narrows anything. */
export interface WantedWebhook {
  resource: string;
  event: string;
  /** A Webex webhook filter, e.g. `personId=<bot id>`. */
  filter?: string;
}

/** Every `resource/event` a SparkBot bot can handle, which the receiver enqueues. */
export const HANDLED_EVENT_KINDS = [
  "messages/created",
  "attachmentActions/created",
  "memberships/created",
  "memberships/deleted",
] as const;

/** The Redis key where workers publish what their bot handles (a JSON `HandledEvents`). */
export function handledEventsKey(prefix: string): string {
  return `${prefix}:sparkbot:handled-events`;
}

/** The JSON a worker publishes. */
export function serializeHandledEvents(handled: HandledEvents): string {
  return JSON.stringify({ v: 1, memberships: [...handled.memberships] });
}

/** Reads what a worker published; undefined for nothing, or for what this version cannot read. */
export function parseHandledEvents(text: string | null | undefined): HandledEvents | undefined {
  if (text === null || text === undefined) return undefined;
  try {
    const value = JSON.parse(text) as { v?: unknown; memberships?: unknown };
    if (value.v !== 1 || !Array.isArray(value.memberships)) return undefined;
    const known = value.memberships.filter((kind): kind is MembershipEventKind =>
      (MEMBERSHIP_EVENT_KINDS as readonly unknown[]).includes(kind),
    );
    return { memberships: known };
  } catch {
    return undefined;
  }
}

/**
 * The webhooks a bot needs, and no more: `messages/created` and `attachmentActions/created`
 * always (a card action no handler takes is still answered and counted); `memberships/created`
 * and `memberships/deleted` only for the kinds the bot handles — filtered on the bot's own id
 * when it handles only its own arrival (`botAdded`) or departure (`botRemoved`), so that Webex
 * does not send every member's comings and goings. `handled` undefined (no worker published
 * yet): every event, unfiltered.
 */
export function wantedWebhooks(
  handled: HandledEvents | undefined,
  botId: string | undefined,
): WantedWebhook[] {
  const wanted: WantedWebhook[] = [
    { resource: "messages", event: "created" },
    { resource: "attachmentActions", event: "created" },
  ];
  const kinds = handled?.memberships;
  const membership = (event: string, bot: MembershipEventKind, others: MembershipEventKind) => {
    if (kinds === undefined || kinds.includes(others)) {
      wanted.push({ resource: "memberships", event });
    } else if (kinds.includes(bot)) {
      wanted.push(
        botId === undefined
          ? { resource: "memberships", event }
          : { resource: "memberships", event, filter: `personId=${botId}` },
      );
    }
  };
  membership("created", "botAdded", "personJoined");
  membership("deleted", "botRemoved", "personLeft");
  return wanted;
}
