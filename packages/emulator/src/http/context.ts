import type { IncomingMessage, ServerResponse } from "node:http";
import { trackingId } from "../ids.js";

/** Largest request body the emulator reads (Webex refuses far smaller messages anyway). */
const MAX_BODY_BYTES = 1_000_000;

/** An error a handler throws to answer with a Webex-shaped error body. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

/** An answer kept back instead of sent (see `RequestContext.hold`). */
export interface HeldAnswer {
  status: number;
  headers: Record<string, string | number>;
  payload: string;
}

/** One request being answered: the parsed URL, path parameters and response helpers. */
export class RequestContext {
  readonly url: URL;
  params: Record<string, string> = {};
  readonly trackingId = trackingId();
  /**
   * While true, answers are kept in `held` instead of being sent: a fault applied after the
   * call (`FaultSpec.after`) decides what the client gets.
   */
  hold = false;
  held: HeldAnswer | undefined;

  constructor(
    readonly req: IncomingMessage,
    readonly res: ServerResponse,
  ) {
    this.url = new URL(req.url ?? "/", "http://emulator.invalid");
  }

  /** The base URL the client used to reach us, from its Host header (no trailing slash). */
  get baseUrl(): string {
    return `http://${this.req.headers.host ?? "127.0.0.1"}`;
  }

  /** A query parameter, or undefined when absent or empty. */
  query(name: string): string | undefined {
    const value = this.url.searchParams.get(name);
    return value === null || value === "" ? undefined : value;
  }

  /** A path parameter captured by the route pattern. */
  param(name: string): string {
    return this.params[name] ?? "";
  }

  private bodyRead: Promise<Record<string, unknown>> | undefined;

  /**
   * Reads and parses the JSON body (once: later calls get the same answer); an empty body is
   * `{}`; bad JSON is a 400.
   */
  body(): Promise<Record<string, unknown>> {
    this.bodyRead ??= this.readBody();
    return this.bodyRead;
  }

  private async readBody(): Promise<Record<string, unknown>> {
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of this.req) {
      const buffer = chunk as Buffer;
      size += buffer.length;
      if (size > MAX_BODY_BYTES) throw new HttpError(413, "The request payload is too big.");
      chunks.push(buffer);
    }
    const text = Buffer.concat(chunks).toString("utf8").trim();
    if (text === "") return {};
    try {
      const parsed: unknown = JSON.parse(text);
      if (parsed !== null && typeof parsed === "object" && !Array.isArray(parsed)) {
        return parsed as Record<string, unknown>;
      }
    } catch {
      // answered below
    }
    throw new HttpError(400, "The request body is not a JSON object.");
  }

  /** Answers with a JSON body, Webex's content type and a `trackingid` header. */
  json(status: number, body: unknown, headers: Record<string, string> = {}): void {
    const payload = JSON.stringify(body);
    this.send({
      status,
      headers: {
        "content-type": "application/json;charset=UTF-8",
        "content-length": Buffer.byteLength(payload),
        trackingid: this.trackingId,
        ...headers,
      },
      payload,
    });
  }

  /** Answers with no body (204 by default). */
  empty(status = 204): void {
    this.send({ status, headers: { trackingid: this.trackingId }, payload: "" });
  }

  /** Sends an answer, or keeps it in `held` while `hold` is set. */
  send(answer: HeldAnswer): void {
    if (this.hold) {
      this.held = answer;
      return;
    }
    this.res.writeHead(answer.status, answer.headers);
    this.res.end(answer.payload);
  }

  /** Answers with Webex's error body `{message, errors: [{description}], trackingId}`. */
  error(status: number, message: string, headers: Record<string, string> = {}): void {
    this.json(status, webexErrorBody(message, this.trackingId), headers);
  }
}

/** Webex's error body. */
export function webexErrorBody(
  message: string,
  tracking: string,
): { message: string; errors: { description: string }[]; trackingId: string } {
  return { message, errors: [{ description: message }], trackingId: tracking };
}
