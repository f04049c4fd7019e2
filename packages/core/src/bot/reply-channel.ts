/**
 * The replies of one run, handed from the producers (middleware and the handler) to the reader
 * (the worker, the harness) one at a time, with back-pressure: `push` resolves only when the
 * reader asks for the reply after it, so a handler continues once its last reply has been dealt
 * with (sent to Webex), exactly as when the reader pulled from the handler's generator.
 */
export class ReplyChannel<T> {
  readonly #queue: { value: T; taken: () => void }[] = [];
  #lastTaken: (() => void) | undefined;
  #waiting: (() => void) | undefined;
  #closed = false;
  #cancelled = false;
  #failure: { error: unknown } | undefined;

  /** True once the reader has stopped (early or not): nothing more will be read. */
  get cancelled(): boolean {
    return this.#cancelled;
  }

  /** Queues a reply; resolves once the reader is ready for the next one (at once when closed). */
  push(value: T): Promise<void> {
    if (this.#closed) return Promise.resolve();
    return new Promise<void>((taken) => {
      this.#queue.push({ value, taken });
      this.#wake();
    });
  }

  /** No more replies; with `error`, the reader's next read throws it. Idempotent. */
  close(error?: { error: unknown }): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#failure = error;
    this.#wake();
  }

  /** The reader stops: everything queued is dropped and every producer released. */
  cancel(): void {
    this.#closed = true;
    this.#cancelled = true;
    this.#release();
    for (const item of this.#queue.splice(0)) item.taken();
  }

  /** Yields each reply; finishes when closed and drained, or throws the close error. */
  async *read(): AsyncGenerator<T, void, undefined> {
    try {
      for (;;) {
        this.#release();
        const item = this.#queue.shift();
        if (item !== undefined) {
          this.#lastTaken = item.taken;
          yield item.value;
          continue;
        }
        if (this.#closed) {
          if (this.#failure !== undefined) throw this.#failure.error;
          return;
        }
        await new Promise<void>((resolve) => (this.#waiting = resolve));
      }
    } finally {
      this.cancel();
    }
  }

  #release(): void {
    const taken = this.#lastTaken;
    this.#lastTaken = undefined;
    taken?.();
  }

  #wake(): void {
    const waiting = this.#waiting;
    this.#waiting = undefined;
    waiting?.();
  }
}
