import type {
  AttachmentAction,
  Membership,
  Message,
  NewMessage,
  NewWebhook,
  Person,
  Room,
  TeamMembership,
  Webhook,
  WebhookUpdate,
} from "./types.js";

/** How many items a `list` call may gather across pages; the default is every page. */
export interface ListOptions {
  limit?: number;
}

/**
 * The one narrow interface through which SparkBot reaches Webex. Every call settles: it resolves,
 * or rejects with a `WebexApiError` (HTTP status, `retryAfter` for 429s), a `WebexNetworkError`
 * or a `WebexTimeoutError`. `list` calls follow Webex's `Link: rel="next"` pagination.
 */
export interface WebexClient {
  readonly people: {
    me(): Promise<Person>;
    get(personId: string): Promise<Person>;
    list(
      query: { email?: string; id?: string[]; displayName?: string; orgId?: string; max?: number },
      options?: ListOptions,
    ): Promise<Person[]>;
  };
  readonly messages: {
    create(message: NewMessage): Promise<Message>;
    get(messageId: string): Promise<Message>;
    /**
     * A room's messages, newest first. `before` (an ISO time) and `beforeMessage` (a message
     * id) start the list below that point, for paging back through a room.
     */
    list(
      query: {
        roomId: string;
        mentionedPeople?: string;
        parentId?: string;
        before?: string;
        beforeMessage?: string;
        max?: number;
      },
      options?: ListOptions,
    ): Promise<Message[]>;
    remove(messageId: string): Promise<void>;
  };
  readonly rooms: {
    get(roomId: string): Promise<Room>;
    /** The caller's rooms; `sortBy: "lastactivity"` lists the most recently active first. */
    list(
      query: {
        type?: "direct" | "group";
        teamId?: string;
        sortBy?: "id" | "lastactivity" | "created";
        max?: number;
      },
      options?: ListOptions,
    ): Promise<Room[]>;
  };
  readonly memberships: {
    list(
      query: { roomId?: string; personId?: string; personEmail?: string; max?: number },
      options?: ListOptions,
    ): Promise<Membership[]>;
  };
  readonly teamMemberships: {
    list(query: { teamId: string; max?: number }, options?: ListOptions): Promise<TeamMembership[]>;
  };
  readonly webhooks: {
    list(options?: ListOptions): Promise<Webhook[]>;
    get(webhookId: string): Promise<Webhook>;
    create(webhook: NewWebhook): Promise<Webhook>;
    update(webhookId: string, update: WebhookUpdate): Promise<Webhook>;
    remove(webhookId: string): Promise<void>;
  };
  readonly attachmentActions: {
    get(actionId: string): Promise<AttachmentAction>;
  };
}

/** Settings for `createWebexClient`. */
export interface WebexClientOptions {
  /** The bot's access token. */
  accessToken: string;
  /**
   * Base URL of the REST API, ending in `/v1` (default `https://webexapis.com/v1`). Point it at
   * the emulator to run with no Webex account.
   */
  apiUrl?: string;
  /** Milliseconds before a call is abandoned with `WebexTimeoutError` (default 15 000). */
  timeoutMs?: number;
  /**
   * The HTTP(S) proxy of the plain HTTP client (`createHttpWebexClient`), from `HTTPS_PROXY`,
   * `HTTP_PROXY` and `NO_PROXY` (see `loadCommonConfig`). Unset: direct connections. The SDK
   * client does not use it.
   */
  proxy?: WebexProxy;
}

/** Where the plain HTTP client sends its requests through; `noProxy` hosts go direct. */
export interface WebexProxy {
  /** Proxy URL for `https:` API URLs (`HTTPS_PROXY`). */
  httpsProxy?: string;
  /** Proxy URL for `http:` API URLs (`HTTP_PROXY`). */
  httpProxy?: string;
  /** Comma-separated hosts (and `.domain` suffixes, `*`) reached directly (`NO_PROXY`). */
  noProxy?: string;
}
