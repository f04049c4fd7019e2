import { CommandSetupError } from "../errors/errors.js";
import {
  MEMBERSHIP_EVENT_KINDS,
  type MembershipEventKind,
  type MembershipHandler,
} from "./event-types.js";
import { validateMiddleware, type DefaultState, type Middleware } from "./middleware.js";
import { typeName } from "./registry.js";

/** A membership handler as the bot keeps it. */
export interface RegisteredMembershipHandler<S extends object = DefaultState> {
  readonly handler: MembershipHandler<S>;
  readonly middleware: readonly Middleware<S>[];
}

/** One handler per membership event kind, at most. */
export class MembershipHandlers<S extends object = DefaultState> {
  readonly #byKind = new Map<MembershipEventKind, RegisteredMembershipHandler<S>>();

  /** Registers the handler of `kind`; a second one for the same kind is a setup error. */
  add(kind: unknown, handler: unknown, use: readonly unknown[] = []): void {
    if (typeof kind !== "string" || !(MEMBERSHIP_EVENT_KINDS as readonly string[]).includes(kind)) {
      throw new TypeError(
        `bot.on takes a membership event: ${MEMBERSHIP_EVENT_KINDS.join(", ")}; got ${JSON.stringify(kind) ?? typeName(kind)}.`,
      );
    }
    if (typeof handler !== "function") {
      throw new TypeError(`The ${kind} handler must be a function, got ${typeName(handler)}.`);
    }
    use.forEach((middleware) => validateMiddleware(middleware, `The ${kind} handler's use option`));
    const known = kind as MembershipEventKind;
    if (this.#byKind.has(known)) {
      throw new CommandSetupError(
        `A ${kind} handler is already registered; a bot has one per event.`,
      );
    }
    this.#byKind.set(known, {
      handler: handler as MembershipHandler<S>,
      middleware: use as Middleware<S>[],
    });
  }

  get(kind: MembershipEventKind): RegisteredMembershipHandler<S> | undefined {
    return this.#byKind.get(kind);
  }

  /** The kinds with a handler, in `MEMBERSHIP_EVENT_KINDS` order. */
  kinds(): MembershipEventKind[] {
    return MEMBERSHIP_EVENT_KINDS.filter((kind) => this.#byKind.has(kind));
  }
}
