import {
  buildWebhookEvent,
  restIdOf,
  type EventOrigin,
  type Membership,
  type WebexClient,
  type WebhookEvent,
} from "@sparkbot/core";

/*
 * Activities (protocol notes §7–§8) become the webhook envelopes Webex would have POSTed, so
 * that they are the same jobs: REST ids from the activity's uuids, and the object's webhook
 * data fetched over REST (the activity's text and inputs are encrypted). The core builder makes
 * the envelope, as for the backfill and the test harness.
 */

/** The `id`, `name` and `targetUrl` of the listener's envelopes, so that logs tell them apart. */
export const WEBSOCKET_ORIGIN: EventOrigin = {
  id: "sparkbot-websocket",
  name: "SparkBot websocket listener",
  targetUrl: "",
};

/** What an activity becomes: an event to enqueue, or a reason it is not one. */
export type Translation =
  | { kind: "event"; event: WebhookEvent; eventKind: string }
  | { kind: "skip"; reason: string; eventKind: string };

export interface TranslateDeps {
  webex: WebexClient;
  /** The bot's own uuid: its activities are skipped. */
  botUuid: string;
  /** The REST id cluster of a conversation URL. */
  clusterOf(conversationUrl: string | undefined): string;
  /** The `created` of a membership the listener saw begin, for its `deleted` event's job id. */
  membershipCreated(membershipId: string): Promise<string | undefined>;
}

type Obj = Record<string, unknown>;
const obj = (value: unknown): Obj =>
  typeof value === "object" && value !== null ? (value as Obj) : {};
const str = (value: unknown): string | undefined => (typeof value === "string" ? value : undefined);

/** Translates one activity. Rejects when a REST fetch failed (the frame is then not acked). */
export async function translateActivity(activity: Obj, deps: TranslateDeps): Promise<Translation> {
  const verb = str(activity["verb"]) ?? "?";
  const actor = obj(activity["actor"]);
  const target = obj(activity["target"]);
  const parent = obj(activity["parent"]);
  const activityId = str(activity["id"]);
  const roomUuid = str(target["id"]);
  const actorUuid = str(actor["entryUUID"]) ?? str(actor["id"]);
  const cluster = deps.clusterOf(str(target["url"]));
  const kind = kindOf(verb, parent);
  if (kind === undefined) return { kind: "skip", reason: `verb ${verb}`, eventKind: "other" };
  if (activityId === undefined || roomUuid === undefined) {
    return { kind: "skip", reason: "activity without id or target", eventKind: kind };
  }
  if (actorUuid?.toLowerCase() === deps.botUuid.toLowerCase()) {
    return { kind: "skip", reason: "caused by the bot", eventKind: kind };
  }
  const roomId = restIdOf("ROOM", roomUuid, cluster);
  switch (kind) {
    case "messages/created": {
      const message = await deps.webex.messages.get(restIdOf("MESSAGE", activityId, cluster));
      return event(kind, { resource: "messages", event: "created", message });
    }
    case "attachmentActions/created": {
      const actionId = restIdOf("ATTACHMENT_ACTION", activityId, cluster);
      const action = await deps.webex.attachmentActions.get(actionId);
      return event(kind, { resource: "attachmentActions", event: "created", action });
    }
    case "memberships/created":
    case "memberships/deleted": {
      const person = obj(activity["object"]);
      const personUuid = str(person["entryUUID"]) ?? str(person["id"]);
      if (personUuid === undefined) return { kind: "skip", reason: "no person", eventKind: kind };
      const personId = restIdOf("PEOPLE", personUuid, "us");
      const membershipId = restIdOf("MEMBERSHIP", `${personUuid}:${roomUuid}`, cluster);
      const actorId = actorUuid === undefined ? undefined : restIdOf("PEOPLE", actorUuid, "us");
      let membership: Membership | undefined;
      if (kind === "memberships/created") {
        const found = await deps.webex.memberships.list({ roomId, personId });
        membership = found.find((m) => m.personId === personId);
      }
      if (membership === undefined) {
        const created = await deps.membershipCreated(membershipId);
        membership = {
          id: membershipId,
          roomId,
          personId,
          personEmail: str(person["emailAddress"]) ?? "",
          ...(str(person["displayName"]) !== undefined
            ? { personDisplayName: str(person["displayName"]) }
            : {}),
          ...(str(person["orgId"]) !== undefined
            ? { personOrgId: restIdOf("ORGANIZATION", String(person["orgId"]), "us") }
            : {}),
          isModerator: obj(person["roomProperties"])["isModerator"] === true,
          isMonitor: false,
          isRoomHidden: false,
          roomType: (obj(target)["tags"] as unknown[] | undefined)?.includes("ONE_ON_ONE")
            ? "direct"
            : "group",
          ...(created !== undefined ? { created } : {}),
        };
      }
      return event(kind, {
        resource: "memberships",
        event: kind === "memberships/created" ? "created" : "deleted",
        membership,
        ...(actorId !== undefined ? { actorId } : {}),
      });
    }
  }
}

type Kind =
  "messages/created" | "attachmentActions/created" | "memberships/created" | "memberships/deleted";

/** The webhook kind of an activity; undefined for those no webhook SparkBot handles carries. */
function kindOf(verb: string, parent: Obj): Kind | undefined {
  if (verb === "post" || verb === "share") {
    // An edit is `post` with `parent.type: "edit"`: Webex's webhook for it is messages/updated.
    return parent["type"] === "edit" ? undefined : "messages/created";
  }
  if (verb === "cardAction") return "attachmentActions/created";
  if (verb === "add") return "memberships/created";
  if (verb === "leave") return "memberships/deleted";
  return undefined;
}

function event(eventKind: Kind, subject: Parameters<typeof buildWebhookEvent>[0]): Translation {
  return { kind: "event", event: buildWebhookEvent(subject, WEBSOCKET_ORIGIN), eventKind };
}
