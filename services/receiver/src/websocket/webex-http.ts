/** A JSON call to a Webex service (U2C, WDM) with the bot's token; never throws on a status. */
export interface JsonAnswer {
  status: number;
  json: Record<string, unknown>;
}

/** Calls `method url` with `Bearer <token>`; rejects on network errors and after `timeoutMs`. */
export async function callWebex(
  method: string,
  url: string,
  token: string,
  body?: unknown,
  timeoutMs = 15_000,
): Promise<JsonAnswer> {
  const response = await fetch(url, {
    method,
    headers: {
      authorization: `Bearer ${token}`,
      ...(body === undefined ? {} : { "content-type": "application/json" }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    signal: AbortSignal.timeout(timeoutMs),
  });
  const text = await response.text();
  let json: Record<string, unknown> = {};
  try {
    const parsed: unknown = text === "" ? {} : JSON.parse(text);
    if (typeof parsed === "object" && parsed !== null) json = parsed as Record<string, unknown>;
  } catch {
    json = { message: text.slice(0, 200) };
  }
  return { status: response.status, json };
}

/** A Webex service answered something other than what was asked for. */
export class WebexServiceError extends Error {
  constructor(
    message: string,
    readonly status: number,
  ) {
    super(message);
    this.name = "WebexServiceError";
  }
}

/** The `message` of a Webex error body, for logs. */
export function errorText(answer: JsonAnswer): string {
  const message = answer.json["message"];
  return typeof message === "string" ? message : JSON.stringify(answer.json).slice(0, 200);
}
