import { requestJson } from "./http.js";

/** A webhook as the Webex REST API returns it. */
export interface RestWebhook {
  id: string;
  name: string;
  targetUrl: string;
  resource: string;
  event: string;
  filter?: string;
  secret?: string;
  status?: string;
  created?: string;
}

/**
 * The few Webex REST calls the CLI makes (webhooks and `people/me`), with fetch. The services
 * use core's WebexClient; this CLI only needs these, and keeps no SDK start-up cost.
 */
export class WebexRest {
  constructor(
    readonly apiUrl: string,
    private readonly token: string,
  ) {}

  me(): Promise<{ id: string; displayName: string; type?: string }> {
    return requestJson("GET", `${this.apiUrl}/people/me`, { token: this.token });
  }

  /** Every webhook of the account, following `Link: rel="next"` pagination. */
  async listWebhooks(): Promise<RestWebhook[]> {
    const items: RestWebhook[] = [];
    let url: string | undefined = `${this.apiUrl}/webhooks?max=100`;
    while (url !== undefined) {
      const response = await fetch(url, {
        headers: { authorization: `Bearer ${this.token}`, accept: "application/json" },
        signal: AbortSignal.timeout(15_000),
      });
      const text = await response.text();
      if (!response.ok) throw new Error(`GET ${url} answered ${response.status}: ${text}`);
      items.push(...(JSON.parse(text) as { items: RestWebhook[] }).items);
      url = nextLink(response.headers.get("link"));
    }
    return items;
  }

  createWebhook(webhook: Omit<RestWebhook, "id">): Promise<RestWebhook> {
    return requestJson("POST", `${this.apiUrl}/webhooks`, { token: this.token, body: webhook });
  }

  updateWebhook(
    id: string,
    update: { name: string; targetUrl: string; secret?: string; status?: string },
  ): Promise<RestWebhook> {
    const url = `${this.apiUrl}/webhooks/${encodeURIComponent(id)}`;
    return requestJson("PUT", url, { token: this.token, body: update });
  }

  async deleteWebhook(id: string): Promise<void> {
    const url = `${this.apiUrl}/webhooks/${encodeURIComponent(id)}`;
    await requestJson("DELETE", url, { token: this.token });
  }
}

/** The URL of a `Link: <url>; rel="next"` header, if any. */
export function nextLink(header: string | null): string | undefined {
  if (header === null) return undefined;
  for (const part of header.split(",")) {
    const match = /<([^>]+)>\s*;\s*rel="?next"?/.exec(part);
    if (match?.[1] !== undefined) return match[1];
  }
  return undefined;
}
