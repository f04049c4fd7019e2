/** A fault to inject: the next `count` calls matching `method` and `path` fail this way. */
export interface FaultSpec {
  /** HTTP method, or `*` for any. */
  method: string;
  /** Path prefix the request's path must start with, e.g. `/v1/messages`. */
  path: string;
  /** Answer with this status and a Webex error body. */
  status?: number;
  /** Seconds for the `Retry-After` header (sent with any status; Webex sends it with 429). */
  retryAfter?: number;
  /** Wait this long before answering (alone: a slow but successful call). */
  delayMs?: number;
  /** Destroy the connection without an answer. */
  drop?: boolean;
  /**
   * Apply the fault after the call took effect, as real Webex sometimes does: the message is
   * created (the webhook fired), then the answer is `status`, a dropped connection (`drop`), or
   * the real answer sent `delayMs` late (past the client's timeout). Without it the call is
   * refused before it does anything.
   */
  after?: boolean;
  /** Each matching call suffers the fault with this probability (0 < p ≤ 1, default 1). */
  probability?: number;
  /** How many matching calls fail. */
  count: number;
}

/** Holds the pending faults and hands out the one a request should suffer. */
export class FaultInjector {
  private faults: FaultSpec[] = [];

  /** `random` decides probabilistic faults (default `Math.random`; tests may seed it). */
  constructor(private readonly random: () => number = Math.random) {}

  add(spec: FaultSpec): void {
    this.faults.push({ ...spec, method: spec.method.toUpperCase() });
  }

  clear(): void {
    this.faults = [];
  }

  /** The pending faults, with their remaining counts. */
  list(): FaultSpec[] {
    return this.faults.map((fault) => ({ ...fault }));
  }

  /** Takes one use of the first fault matching this request, if any (and if its dice say so). */
  take(method: string, pathname: string): FaultSpec | undefined {
    const upper = method.toUpperCase();
    const index = this.faults.findIndex(
      (f) => (f.method === "*" || f.method === upper) && pathname.startsWith(f.path),
    );
    const fault = this.faults[index];
    if (!fault) return undefined;
    if (fault.probability !== undefined && this.random() >= fault.probability) return undefined;
    fault.count -= 1;
    if (fault.count <= 0) this.faults.splice(index, 1);
    return fault;
  }
}

/** Checks a fault from the control API; returns an error message or the parsed spec. */
export function parseFaultSpec(body: Record<string, unknown>): FaultSpec | string {
  const { method, path, status, retryAfter, delayMs, drop, after, probability, count } = body;
  if (typeof method !== "string" || method === "") return "method must be a string";
  if (typeof path !== "string" || !path.startsWith("/")) return "path must start with /";
  if (typeof count !== "number" || !Number.isInteger(count) || count < 1) {
    return "count must be a positive integer";
  }
  if (status !== undefined && (typeof status !== "number" || status < 100 || status > 599)) {
    return "status must be an HTTP status";
  }
  if (retryAfter !== undefined && typeof retryAfter !== "number") return "retryAfter: number";
  if (delayMs !== undefined && typeof delayMs !== "number") return "delayMs must be a number";
  if (drop !== undefined && typeof drop !== "boolean") return "drop must be a boolean";
  if (after !== undefined && typeof after !== "boolean") return "after must be a boolean";
  if (
    probability !== undefined &&
    (typeof probability !== "number" || !(probability > 0 && probability <= 1))
  ) {
    return "probability must be a number in (0, 1]";
  }
  if (status === undefined && delayMs === undefined && drop !== true) {
    return "a fault needs status, delayMs or drop";
  }
  const spec: FaultSpec = { method, path: path.split("?")[0] ?? path, count };
  if (typeof status === "number") spec.status = status;
  if (typeof retryAfter === "number") spec.retryAfter = retryAfter;
  if (typeof delayMs === "number") spec.delayMs = delayMs;
  if (drop === true) spec.drop = true;
  if (after === true) spec.after = true;
  if (typeof probability === "number") spec.probability = probability;
  return spec;
}
