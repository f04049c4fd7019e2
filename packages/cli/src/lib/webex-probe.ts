import {
  WebexApiError,
  WebexNetworkError,
  WebexTimeoutError,
  createHttpWebexClient,
} from "@sparkbot/core";

/** What asking Webex who the token belongs to (`people/me`) showed. */
export type WebexProbe =
  | { ok: true; displayName: string }
  | {
      ok: false;
      /** What to fix: the token, the API URL (or the network to it), or nothing (Webex's side). */
      subject: "WEBEX_ACCESS_TOKEN" | "WEBEX_API_URL" | "Webex";
      message: string;
    };

/**
 * Calls `people/me` once with the token and tells apart the failures a user fixes differently:
 * Webex rejecting the token (401/403), the URL not being Webex's API (404, other 4xx), Webex
 * unreachable (DNS, refused, timeout: a network problem, the token was not checked) and Webex
 * failing (5xx, 429). Never throws.
 */
export async function probeWebex(
  accessToken: string,
  apiUrl: string,
  timeoutMs = 10_000,
): Promise<WebexProbe> {
  try {
    const webex = createHttpWebexClient({ accessToken, apiUrl, timeoutMs });
    const me = await webex.people.me();
    return { ok: true, displayName: me.displayName };
  } catch (error) {
    return describeFailure(error, apiUrl);
  }
}

function describeFailure(error: unknown, apiUrl: string): WebexProbe & { ok: false } {
  const reason = error instanceof Error ? error.message : String(error);
  if (error instanceof WebexNetworkError || error instanceof WebexTimeoutError) {
    return {
      ok: false,
      subject: "WEBEX_API_URL",
      message: `cannot reach Webex at ${apiUrl} (${reason}): a network problem; the token was not checked`,
    };
  }
  if (error instanceof WebexApiError) {
    if (error.status === 401 || error.status === 403) {
      return {
        ok: false,
        subject: "WEBEX_ACCESS_TOKEN",
        message: `Webex at ${apiUrl} rejected the token (${error.status}): use the bot's access token from developer.webex.com (My Apps)`,
      };
    }
    if (error.status === 429 || error.status >= 500) {
      return {
        ok: false,
        subject: "Webex",
        message: `Webex at ${apiUrl} answered ${error.status} (its side, try again later): ${reason}`,
      };
    }
    return {
      ok: false,
      subject: "WEBEX_API_URL",
      message: `${apiUrl}/people/me answered ${error.status}: is WEBEX_API_URL Webex's REST base URL (ending in /v1)?`,
    };
  }
  // createHttpWebexClient refuses a malformed token or URL before any request.
  return { ok: false, subject: "WEBEX_ACCESS_TOKEN", message: reason };
}
