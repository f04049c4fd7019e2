import { createAccessGate } from "../access/gate.js";
import { ADAPTIVE_CARD_CONTENT_TYPE, type AdaptiveCard } from "../cards/card-types.js";
import { WebexApiError } from "../errors/errors.js";
import { sameWebexId } from "../webex/ids.js";
import type { Message } from "../webex/types.js";
import type { RegisteredAction } from "./action-registry.js";
import { lazyPerson } from "./context.js";
import type { CardActionContext, CardActionInput } from "./event-types.js";
import type { CardActionMiddlewareContext } from "./middleware.js";
import {
  runChain,
  type BotSetup,
  type RunPlan,
  type RunTools,
  type StartedRun,
} from "./run-plan.js";
import { fillText } from "./texts.js";
import type { CommandOutcome } from "./types.js";

/** Names card action runs are reported under when no named action runs. */
export const PSEUDO_ACTIONS = {
  fallback: "(action-fallback)",
  unknown: "(unknown-action)",
  self: "(self)",
} as const;

/** Where a card action goes: its handler, the fallback, or nowhere. */
interface ActionRoute<S extends object> {
  readonly route: "action" | "fallback" | "unknown";
  readonly name: string;
  /** The value of the action key in the inputs, when it is a string. */
  readonly actionName: string | undefined;
  readonly registered: RegisteredAction<S> | undefined;
}

/**
 * How a card submission runs: routed by the value of the bot's action key in the submitted
 * inputs (the pressed Action.Submit's `data`) to its handler, else to the action fallback, else
 * answered with `unknownAction` (logged and counted). The chain is the one messages go through:
 * the access gate (the person who submitted), the bot's middleware, the action's own.
 */
export function planCardAction<S extends object>(
  setup: BotSetup<S>,
  input: CardActionInput,
): RunPlan {
  const { action, message } = input;
  const placement = {
    defaultParentId: message.parentId,
    threadRoot: message.parentId ?? message.id,
  };
  if (sameWebexId(action.personId, input.self.id)) {
    return {
      name: PSEUDO_ACTIONS.self,
      logFields: { action: PSEUDO_ACTIONS.self },
      skip: "ignored",
      placement,
      answerFailures: true,
      start: () => {
        throw new Error("a skipped run does not start");
      },
    };
  }
  const route = routeAction(setup, action.inputs);
  return {
    name: route.name,
    logFields: { action: route.name },
    placement,
    answerFailures: true,
    start: (tools) => runChain(startCardAction(setup, input, route, tools)),
  };
}

function routeAction<S extends object>(
  setup: BotSetup<S>,
  inputs: Readonly<Record<string, unknown>> | undefined,
): ActionRoute<S> {
  const value = inputs?.[setup.actionKey];
  const actionName = typeof value === "string" ? value : undefined;
  const named = actionName === undefined ? undefined : setup.actions.find(actionName);
  if (named !== undefined) {
    return { route: "action", name: named.names[0] ?? "", actionName, registered: named };
  }
  const fallback = setup.actions.fallback;
  if (fallback !== undefined) {
    return { route: "fallback", name: PSEUDO_ACTIONS.fallback, actionName, registered: fallback };
  }
  return { route: "unknown", name: PSEUDO_ACTIONS.unknown, actionName, registered: undefined };
}

function startCardAction<S extends object>(
  setup: BotSetup<S>,
  input: CardActionInput,
  route: ActionRoute<S>,
  tools: RunTools,
): StartedRun<CardActionMiddlewareContext<S>> {
  const { action, message, event, self, webex } = input;
  const inputs = Object.freeze({ ...(action.inputs ?? {}) });
  const caller = lazyPerson(webex, action.personId);
  const gate = createAccessGate({
    policy: tools.policy,
    find: (name) => setup.registry.find(name),
    name: route.name,
    handlerRules: () => (route.registered?.allow === undefined ? [] : [route.registered.allow]),
    subject: {
      personId: action.personId,
      personEmail: undefined,
      roomId: action.roomId,
      roomType: message.roomType,
    },
    checks: "people",
    webex,
    caller,
    texts: setup.texts,
    logger: tools.logger,
    onDenied: tools.denied,
  });
  const card = cardOf(message);
  const state = {} as S;
  const outcome = tools.outcome;
  const ctx: CardActionMiddlewareContext<S> = {
    type: "cardAction",
    event,
    name: route.name,
    action,
    message,
    card,
    route: route.route,
    roomId: action.roomId,
    personId: action.personId,
    get caller() {
      return caller.get();
    },
    self,
    webex,
    signal: tools.signal,
    logger: tools.logger,
    state,
    reply: tools.reply,
    get outcome(): CommandOutcome | undefined {
      return outcome();
    },
    isAllowed: gate.isAllowed,
  };
  const deleteCard = async (): Promise<void> => {
    try {
      await webex.messages.remove(message.id);
    } catch (error) {
      if (!(error instanceof WebexApiError && error.status === 404)) throw error;
    }
  };
  return {
    ctx,
    middleware: [gate.middleware, ...setup.middleware, ...(route.registered?.middleware ?? [])],
    async terminal() {
      const registered = route.registered;
      if (registered === undefined) {
        tools.logger.warn("unknown card action", {
          actionKey: setup.actionKey,
          value: route.actionName ?? null,
          inputs: Object.keys(inputs),
          messageId: message.id,
        });
        await tools.reply(fillText(setup.texts.unknownAction, { action: route.actionName ?? "" }));
        tools.setOutcome("unknown_action");
        return;
      }
      const context: CardActionContext<S> = {
        name: route.actionName,
        inputs,
        action,
        message,
        card,
        event,
        roomId: action.roomId,
        personId: action.personId,
        get caller() {
          return caller.get();
        },
        self,
        webex,
        signal: tools.signal,
        logger: tools.logger,
        state,
        async replaceCard(reply) {
          await tools.reply(reply);
          await deleteCard();
        },
        deleteCard,
        isAllowed: gate.isAllowed,
      };
      await tools.drive(() => registered.handler(context));
    },
  };
}

/** The Adaptive Card of a message: its first attachment of the card content type. */
export function cardOf(message: Message): AdaptiveCard | undefined {
  const attachments = message["attachments"];
  if (!Array.isArray(attachments)) return undefined;
  const found: unknown = attachments.find(
    (item: unknown) =>
      typeof item === "object" &&
      item !== null &&
      (item as { contentType?: unknown }).contentType === ADAPTIVE_CARD_CONTENT_TYPE,
  );
  const content = (found as { content?: unknown } | undefined)?.content;
  return typeof content === "object" && content !== null ? (content as AdaptiveCard) : undefined;
}
