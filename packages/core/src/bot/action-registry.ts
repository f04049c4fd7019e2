import { isOpenRule, normalizeRule, type NormalizedRule } from "../access/rules.js";
import { CommandSetupError } from "../errors/errors.js";
import type { ActionOptions, CardActionHandler } from "./event-types.js";
import { validateMiddleware, type DefaultState, type Middleware } from "./middleware.js";
import { typeName } from "./registry.js";

/** A card action handler as the registry keeps it. */
export interface RegisteredAction<S extends object = DefaultState> {
  /** The action's names (values of the action key), the first being the canonical one. */
  readonly names: readonly string[];
  readonly handler: CardActionHandler<S>;
  readonly middleware: readonly Middleware<S>[];
  /** The action's own access rule, when it restricts anything. */
  readonly allow: NormalizedRule | undefined;
  readonly fallback: boolean;
}

const OPTION_KEYS = ["allow", "use"];

/**
 * The card action handlers of one bot, by name (matched exactly: the names are the values the
 * bot's own cards put in their Action.Submit `data`), and the fallback for any other.
 */
export class ActionRegistry<S extends object = DefaultState> {
  readonly #byName = new Map<string, RegisteredAction<S>>();
  #fallback: RegisteredAction<S> | undefined;

  /** Adds a handler for these names, or the fallback when `names` is empty and `fallback` set. */
  add(
    names: readonly string[],
    options: ActionOptions<S>,
    handler: CardActionHandler<S>,
    fallback = false,
  ): void {
    const where = fallback
      ? "The action fallback's"
      : `The ${names.map((n) => JSON.stringify(n)).join(", ")} action's`;
    if (typeof handler !== "function") {
      throw new TypeError(`${where} handler must be a function, got ${typeName(handler)}.`);
    }
    if (typeof options !== "object" || options === null || Array.isArray(options)) {
      throw new TypeError(`Action options must be an object, got ${typeName(options)}.`);
    }
    for (const key of Object.keys(options)) {
      if (!OPTION_KEYS.includes(key)) {
        throw new TypeError(
          `Unknown action option "${key}"; the options are ${OPTION_KEYS.join(", ")}.`,
        );
      }
    }
    const use = options.use === undefined ? [] : [options.use].flat();
    use.forEach((middleware) => validateMiddleware(middleware, `${where} use option`));
    const rule =
      options.allow === undefined
        ? undefined
        : normalizeRule(options.allow, `${where} allow option`);
    const action: RegisteredAction<S> = {
      names: [...names],
      handler,
      middleware: use,
      allow: rule === undefined || isOpenRule(rule) ? undefined : rule,
      fallback,
    };
    if (fallback) this.#setFallback(action);
    else this.#addNamed(action);
  }

  /** The handler of the action named `name` (exact match), the fallback excluded. */
  find(name: string): RegisteredAction<S> | undefined {
    return this.#byName.get(name);
  }

  get fallback(): RegisteredAction<S> | undefined {
    return this.#fallback;
  }

  /** True when any card action handler (the fallback included) is registered. */
  get isEmpty(): boolean {
    return this.#byName.size === 0 && this.#fallback === undefined;
  }

  /** The registered action names, each once. */
  names(): string[] {
    return [...this.#byName.keys()];
  }

  #setFallback(action: RegisteredAction<S>): void {
    if (this.#fallback !== undefined) {
      throw new CommandSetupError(
        "An action fallback is already registered; a bot has at most one.",
      );
    }
    this.#fallback = action;
  }

  #addNamed(action: RegisteredAction<S>): void {
    if (action.names.length === 0) {
      throw new CommandSetupError(
        'A card action needs a name: bot.action("vote", handler) runs for cards submitted with data { action: "vote" }; bot.actionFallback(handler) takes the others.',
      );
    }
    for (const name of action.names) {
      if (typeof name !== "string" || name === "") {
        throw new CommandSetupError(
          `Action names must be strings that are not empty, got ${JSON.stringify(name)}.`,
        );
      }
      if (this.#byName.has(name) || action.names.indexOf(name) !== action.names.lastIndexOf(name)) {
        throw new CommandSetupError(
          `The action name "${name}" is used twice; choose another name.`,
        );
      }
    }
    for (const name of action.names) this.#byName.set(name, action);
  }
}
