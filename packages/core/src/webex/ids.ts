/**
 * Webex object ids. The REST API's ids are base64 (url-safe or not, padded or not) of
 * `ciscospark://<cluster>/<KIND>/<uuid>`, e.g. `ciscospark://us/MESSAGE/9a1b…`; some places (the
 * websocket's activities, some `html` mentions) carry the bare uuid instead. One object can so
 * appear under several ids; these helpers tell when two name the same object.
 */

/** The parts of a REST id: `cluster` (e.g. `us`), `kind` (e.g. `MESSAGE`) and the object's `uuid`. */
export interface DecodedWebexId {
  cluster: string;
  kind: string;
  uuid: string;
}

const DECODED = /^ciscospark:\/\/([^/]+)\/([A-Z_]+)\/([^/]+)$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** True when `value` is a bare uuid (any case). */
export function isUuid(value: string): boolean {
  return UUID.test(value);
}

/**
 * Decodes a REST id; undefined when `id` is not the exact base64 (standard or url-safe, with or
 * without padding) of a `ciscospark://` URI — so that two different strings never decode alike.
 */
export function decodeWebexId(id: string): DecodedWebexId | undefined {
  if (!/^[A-Za-z0-9+/_-]+={0,2}$/.test(id)) return undefined;
  const bytes = Buffer.from(id, "base64");
  const canonical = id.replace(/=+$/, "").replaceAll("+", "-").replaceAll("/", "_");
  if (bytes.toString("base64url") !== canonical) return undefined;
  const match = DECODED.exec(bytes.toString("utf8"));
  if (match?.[1] === undefined || match[2] === undefined || match[3] === undefined) {
    return undefined;
  }
  return { cluster: match[1], kind: match[2], uuid: match[3] };
}

/**
 * The REST id of an object known by its uuid, as the REST API writes it (unpadded url-safe
 * base64 of `ciscospark://us/<KIND>/<uuid>`, as the JS SDK's `constructHydraId`): how the
 * websocket's activity ids become message ids.
 */
export function restIdOf(kind: string, uuid: string, cluster = "us"): string {
  return Buffer.from(`ciscospark://${cluster}/${kind}/${uuid}`, "utf8").toString("base64url");
}

/**
 * The object part of an id, the same for every form of one object's id: the lower-cased uuid
 * of a REST id or of a bare uuid; undefined for ids that are neither.
 */
export function objectUuidOf(id: string): string | undefined {
  if (isUuid(id)) return id.toLowerCase();
  return decodeWebexId(id)?.uuid.toLowerCase();
}

/** True when two ids name the same Webex object (equal, or the same object under two forms). */
export function sameWebexId(a: string, b: string): boolean {
  if (a === b) return true;
  const uuid = objectUuidOf(a);
  return uuid !== undefined && uuid === objectUuidOf(b);
}
