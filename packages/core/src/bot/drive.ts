/** Thrown inside a run when the command's signal fired; carries the signal's reason. */
export class AbortStop extends Error {
  readonly reason: unknown;

  constructor(reason: unknown) {
    super("The command was stopped by its abort signal");
    this.reason = reason;
  }
}

export function isAbortStop(error: unknown): error is AbortStop {
  return error instanceof AbortStop;
}

/**
 * Calls a handler and yields its replies as they come (undefined and null skipped): a returned
 * value, the settled value of a returned Promise, or each value of a returned (async) iterable,
 * then the iterable's return value. Strings and reply messages are checked by the reader. When `signal` fires, waiting stops at once, the handler's generator is
 * told to `return()`, and an `AbortStop` carrying the reason is thrown.
 */
export async function* driveHandler(
  invoke: () => unknown,
  signal: AbortSignal,
): AsyncGenerator<unknown, void, undefined> {
  throwIfAborted(signal);
  let result: unknown;
  try {
    result = invoke();
    if (isPromiseLike(result)) result = await raceAbort(result, signal);
  } catch (error) {
    throw signal.aborted ? new AbortStop(signal.reason) : error;
  }
  if (isAsyncIterable(result) || isSyncIterable(result)) {
    yield* driveIterable(result, signal);
    return;
  }
  if (!isNothing(result)) yield result;
}

async function* driveIterable(
  iterable: AsyncIterable<unknown> | Iterable<unknown>,
  signal: AbortSignal,
): AsyncGenerator<unknown, void, undefined> {
  const iterator: AsyncIterator<unknown> | Iterator<unknown> = isAsyncIterable(iterable)
    ? iterable[Symbol.asyncIterator]()
    : iterable[Symbol.iterator]();
  let finished = false;
  try {
    for (;;) {
      let step: IteratorResult<unknown>;
      try {
        const next = iterator.next();
        step = isPromiseLike(next) ? await raceAbort(next, signal) : next;
      } catch (error) {
        finished = !signal.aborted;
        throw signal.aborted ? new AbortStop(signal.reason) : error;
      }
      throwIfAborted(signal);
      if (step.done === true) finished = true;
      if (!isNothing(step.value)) yield step.value;
      if (step.done === true) return;
      throwIfAborted(signal);
    }
  } finally {
    if (!finished) stopIterator(iterator);
  }
}

/** Asks a generator to finish (running its `finally` blocks) without waiting for it. */
function stopIterator(iterator: AsyncIterator<unknown> | Iterator<unknown>): void {
  try {
    const result = iterator.return?.();
    if (isPromiseLike(result)) result.then(undefined, () => undefined);
  } catch {
    // The handler's own clean-up failed; the run is over either way.
  }
}

/** Settles like `promise`, or rejects with `AbortStop` as soon as `signal` fires. */
export function raceAbort<T>(promise: PromiseLike<T>, signal: AbortSignal): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(new AbortStop(signal.reason));
    if (signal.aborted) return onAbort();
    signal.addEventListener("abort", onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener("abort", onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener("abort", onAbort);
        reject(error);
      },
    );
  });
}

function throwIfAborted(signal: AbortSignal): void {
  if (signal.aborted) throw new AbortStop(signal.reason);
}

/** True for the values a handler produces to say nothing. */
function isNothing(value: unknown): boolean {
  return value === undefined || value === null;
}

function isPromiseLike(value: unknown): value is PromiseLike<unknown> {
  return (
    (typeof value === "object" || typeof value === "function") &&
    value !== null &&
    typeof (value as { then?: unknown }).then === "function"
  );
}

function isAsyncIterable(value: unknown): value is AsyncIterable<unknown> {
  return (
    typeof value === "object" &&
    value !== null &&
    typeof (value as { [Symbol.asyncIterator]?: unknown })[Symbol.asyncIterator] === "function"
  );
}

function isSyncIterable(value: unknown): value is Iterable<unknown> {
  return (
    typeof value === "object" &&
    value !== null &&
    typeof (value as { [Symbol.iterator]?: unknown })[Symbol.iterator] === "function"
  );
}
