import { createAccessGate } from "../access/gate.js";
import { sameWebexId } from "../webex/ids.js";
import type { Person } from "../webex/types.js";
import { lazyPerson, type LazyPerson } from "./context.js";
import type { MembershipContext, MembershipEventKind, MembershipInput } from "./event-types.js";
import type { MembershipMiddlewareContext } from "./middleware.js";
import {
  runChain,
  type BotSetup,
  type RunPlan,
  type RunTools,
  type StartedRun,
} from "./run-plan.js";
import type { CommandOutcome } from "./types.js";

/** What a membership event is, from the bot's side; undefined for events it has no kind for. */
export function membershipKind(
  event: string,
  personId: string,
  botId: string,
): MembershipEventKind | undefined {
  const bot = sameWebexId(personId, botId);
  if (event === "created") return bot ? "botAdded" : "personJoined";
  if (event === "deleted") return bot ? "botRemoved" : "personLeft";
  return undefined;
}

/**
 * How a membership event runs: its kind from the bot's side, then (when the bot has a handler
 * for it) the chain — the access gate (rules on rooms only: nobody asked anything), the bot's
 * middleware, the handler's own — around the handler. Events without a handler run nothing
 * (`unhandled`). Failures are logged, never answered in the room; after `botRemoved` no reply
 * can be sent at all.
 */
export function planMembership<S extends object>(
  setup: BotSetup<S>,
  input: MembershipInput,
): RunPlan {
  const { membership, event, self } = input;
  const kind = membershipKind(event.event, membership.personId, self.id);
  const registered = kind === undefined ? undefined : setup.memberships.get(kind);
  const name = kind ?? `(memberships/${event.event})`;
  const placement = {
    defaultParentId: undefined,
    threadRoot: undefined,
    ...(kind === "botRemoved"
      ? { refusal: "The bot was removed from this room: a botRemoved handler cannot reply there." }
      : {}),
  };
  const plan = { name, logFields: { membership: name }, placement, answerFailures: false };
  if (kind === undefined || registered === undefined) {
    return {
      ...plan,
      skip: "unhandled",
      start: () => {
        throw new Error("a skipped run does not start");
      },
    };
  }
  return {
    ...plan,
    start: (tools) => runChain(startMembership(setup, input, kind, tools)),
  };
}

function startMembership<S extends object>(
  setup: BotSetup<S>,
  input: MembershipInput,
  kind: MembershipEventKind,
  tools: RunTools,
): StartedRun<MembershipMiddlewareContext<S>> {
  const { membership, event, self, webex } = input;
  const registered = setup.memberships.get(kind);
  const actorId = event.actorId;
  const actor = actorOf(webex, actorId);
  const gate = createAccessGate({
    policy: tools.policy,
    find: (name) => setup.registry.find(name),
    name: kind,
    handlerRules: () => [],
    subject: {
      personId: membership.personId,
      personEmail: membership.personEmail,
      roomId: membership.roomId,
      roomType: roomTypeOf(membership["roomType"]),
    },
    checks: "rooms",
    webex,
    caller: lazyPerson(webex, membership.personId),
    texts: setup.texts,
    logger: tools.logger,
    onDenied: tools.denied,
  });
  const state = {} as S;
  const outcome = tools.outcome;
  // No getter here: spreading would call it (and fetch the actor).
  const shared = {
    event,
    kind,
    membership,
    roomId: membership.roomId,
    personId: membership.personId,
    actorId,
    self,
    webex,
    signal: tools.signal,
    logger: tools.logger,
    state,
  };
  const ctx: MembershipMiddlewareContext<S> = {
    ...shared,
    get actor() {
      return actor.get();
    },
    type: "membership",
    name: kind,
    reply: tools.reply,
    get outcome(): CommandOutcome | undefined {
      return outcome();
    },
  };
  return {
    ctx,
    middleware: [gate.middleware, ...setup.middleware, ...(registered?.middleware ?? [])],
    async terminal() {
      if (registered === undefined) return;
      const context: MembershipContext<S> = {
        ...shared,
        get actor() {
          return actor.get();
        },
      };
      await tools.drive(() => registered.handler(context));
    },
  };
}

/** The actor, fetched on first read; a rejection when the event names none. */
function actorOf(webex: Parameters<typeof lazyPerson>[0], actorId: string | undefined): LazyPerson {
  if (actorId !== undefined) return lazyPerson(webex, actorId);
  const missing = (): Promise<Person> =>
    Promise.reject(new Error("Webex did not say who did it (the event has no actorId)."));
  return { get: missing, peek: () => undefined };
}

function roomTypeOf(value: unknown): "direct" | "group" | undefined {
  return value === "direct" || value === "group" ? value : undefined;
}
