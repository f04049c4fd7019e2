import { randomBytes, randomUUID } from "node:crypto";

/** The kinds of Webex object ids, as they appear in the decoded `ciscospark://us/<KIND>/<uuid>`. */
export type WebexIdKind =
  | "PEOPLE"
  | "ROOM"
  | "MESSAGE"
  | "WEBHOOK"
  | "MEMBERSHIP"
  | "TEAM"
  | "TEAM_MEMBERSHIP"
  | "ORGANIZATION"
  | "APPLICATION"
  | "ATTACHMENT_ACTION";

/** A Webex id: unpadded base64url of `ciscospark://us/<KIND>/<uuid>`. */
export function webexId(kind: WebexIdKind, uuid: string = randomUUID()): string {
  return Buffer.from(`ciscospark://us/${kind}/${uuid}`, "utf8").toString("base64url");
}

/** Decodes a Webex id into its kind and uuid, or returns undefined if it is not one. */
export function decodeWebexId(id: string): { kind: string; uuid: string } | undefined {
  const decoded = Buffer.from(id, "base64url").toString("utf8");
  const match = /^ciscospark:\/\/[a-z0-9]+\/([A-Z_]+)\/(.+)$/.exec(decoded);
  if (!match?.[1] || !match[2]) return undefined;
  return { kind: match[1], uuid: match[2] };
}

/** The cluster part of the emulator's bot tokens (`<token>_<cluster>_<orgUuid>`). */
export const TOKEN_CLUSTER = "P0A1";

/** A bearer token in Webex's three-part form `<token>_<cluster>_<orgUuid>`. */
export function webexToken(orgUuid: string): string {
  const token = randomBytes(64)
    .toString("base64")
    .replace(/[^A-Za-z0-9]/g, "")
    .slice(0, 64);
  return `${token}_${TOKEN_CLUSTER}_${orgUuid}`;
}

/** A tracking id like the `ROUTER_...` ids Webex puts in its error bodies and headers. */
export function trackingId(): string {
  return `ROUTER_${randomUUID().toUpperCase()}`;
}
