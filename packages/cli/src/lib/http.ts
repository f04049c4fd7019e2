/** A non-2xx answer from an HTTP API, with the response body for the message. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly method: string,
    readonly url: string,
    body: string,
  ) {
    super(`${method} ${url} answered ${status}${body ? `: ${body.slice(0, 300)}` : ""}`);
  }
}

/** Sends a JSON request and parses the JSON answer (undefined for 204); throws HttpError. */
export async function requestJson<T>(
  method: string,
  url: string,
  options: { body?: unknown; token?: string; timeoutMs?: number } = {},
): Promise<T> {
  const headers: Record<string, string> = { accept: "application/json" };
  if (options.body !== undefined) headers["content-type"] = "application/json";
  if (options.token !== undefined) headers["authorization"] = `Bearer ${options.token}`;
  const response = await fetch(url, {
    method,
    headers,
    body: options.body === undefined ? undefined : JSON.stringify(options.body),
    signal: AbortSignal.timeout(options.timeoutMs ?? 15_000),
  });
  const text = await response.text();
  if (!response.ok) throw new HttpError(response.status, method, url, text);
  return (text === "" ? undefined : JSON.parse(text)) as T;
}
