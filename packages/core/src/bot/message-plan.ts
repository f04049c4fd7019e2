import { createAccessGate } from "../access/gate.js";
import { createContext, lazyPerson, type RunScope } from "./context.js";
import { PSEUDO_COMMANDS, resolveDispatch, type ResolvedDispatch } from "./dispatch.js";
import type { MessageMiddlewareContext } from "./middleware.js";
import {
  runChain,
  type BotSetup,
  type RunPlan,
  type RunTools,
  type StartedRun,
} from "./run-plan.js";
import { fillText } from "./texts.js";
import type { CommandInput, CommandOutcome } from "./types.js";

/**
 * How a message runs: the bot's own messages are skipped; otherwise the dispatch is resolved
 * (mention removed, line split, command found), then the chain runs — the access gate, the
 * bot's middleware, the command's — around the handler or the bot's own answer.
 */
export function planMessage<S extends object>(setup: BotSetup<S>, input: CommandInput): RunPlan {
  const { message, self } = input;
  const placement = {
    defaultParentId: message.parentId,
    threadRoot: message.parentId ?? message.id,
  };
  if (message.personId === self.id) {
    return {
      name: PSEUDO_COMMANDS.self,
      logFields: { command: PSEUDO_COMMANDS.self },
      skip: "ignored",
      placement,
      answerFailures: true,
      start: () => {
        throw new Error("a skipped run does not start");
      },
    };
  }
  const dispatch = resolveDispatch(setup.registry, message, self);
  return {
    name: dispatch.name,
    logFields: { command: dispatch.name },
    placement,
    answerFailures: true,
    start: (tools) => runChain(startMessage(setup, input, dispatch, tools)),
  };
}

function startMessage<S extends object>(
  setup: BotSetup<S>,
  input: CommandInput,
  dispatch: ResolvedDispatch<S>,
  tools: RunTools,
): StartedRun<MessageMiddlewareContext<S>> {
  const { registry, texts } = setup;
  const { message, event, self, webex } = input;
  const caller = lazyPerson(webex, message.personId);
  const command = dispatch.registered;
  const gate = createAccessGate({
    policy: tools.policy,
    find: (name) => registry.find(name),
    name: dispatch.name,
    handlerRules: () =>
      command === undefined ? [] : tools.policy.commandRules(command.names, command.allow),
    subject: {
      personId: message.personId,
      personEmail: message.personEmail,
      roomId: message.roomId,
      roomType: message.roomType,
    },
    checks: "people",
    webex,
    caller,
    texts,
    logger: tools.logger,
    onDenied: tools.denied,
  });
  const scope: RunScope<S> = {
    input,
    signal: tools.signal,
    caller,
    state: {} as S,
    isAllowed: (name) => gate.isAllowed(name),
  };
  const outcome = tools.outcome;
  const ctx: MessageMiddlewareContext<S> = {
    type: "message",
    event,
    message,
    name: dispatch.name,
    commandline: Object.freeze([...dispatch.commandline]),
    dispatch: { kind: dispatch.kind, command: dispatch.command, name: dispatch.name },
    roomId: message.roomId,
    personId: message.personId,
    get caller() {
      return caller.get();
    },
    self,
    webex,
    signal: tools.signal,
    logger: tools.logger,
    state: scope.state,
    reply: tools.reply,
    get outcome(): CommandOutcome | undefined {
      return outcome();
    },
    isAllowed: scope.isAllowed,
  };
  return {
    ctx,
    middleware: [gate.middleware, ...setup.middleware, ...(command?.middleware ?? [])],
    async terminal() {
      const [typed = ""] = dispatch.commandline;
      if (dispatch.kind === "bad_command_line") {
        await tools.reply(fillText(texts.badFormat, { reason: dispatch.reason ?? "" }));
        tools.setOutcome("bad_command_line");
      } else if (dispatch.kind === "empty") {
        await tools.reply(texts.emptyMessage);
        tools.setOutcome("empty");
      } else if (dispatch.kind === "not_found" || command === undefined) {
        await tools.reply(fillText(texts.commandNotFound, { command: typed }));
        tools.setOutcome("not_found");
      } else {
        const context = createContext(scope, dispatch.commandline, tools.logger);
        await tools.drive(() => command.handler(context));
      }
    },
  };
}
