import type { Person } from "@sparkbot/core";
import type { EmulatorStore } from "../state/store.js";
import { HttpError, type RequestContext } from "./context.js";

const UNAUTHORIZED =
  "The request requires a valid access token set in the Authorization request header.";

/** The person whose bearer token authorizes this request; a missing or unknown token is a 401. */
export function authenticate(ctx: RequestContext, store: EmulatorStore): Person {
  const header = ctx.req.headers.authorization ?? "";
  const match = /^Bearer\s+(\S+)$/i.exec(header);
  const person = match?.[1] ? store.personByToken(match[1]) : undefined;
  if (!person) throw new HttpError(401, UNAUTHORIZED);
  return person;
}
