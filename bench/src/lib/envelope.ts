import { createHmac, randomUUID } from "node:crypto";

/** Who a synthetic webhook event is about: the bot's webhook, the room and the sender. */
export interface EnvelopeContext {
  webhookId: string;
  targetUrl: string;
  roomId: string;
  personId: string;
  personEmail: string;
  orgId: string;
  botId: string;
}

/** A Webex id: unpadded base64url of `ciscospark://us/<KIND>/<uuid>`. */
export function webexStyleId(kind: string, uuid: string = randomUUID()): string {
  return Buffer.from(`ciscospark://us/${kind}/${uuid}`).toString("base64url");
}

/** HMAC-SHA1 hex of the exact body bytes, as Webex's `X-Spark-Signature`. */
export function signBody(body: string, secret: string): string {
  return createHmac("sha1", secret).update(body).digest("hex");
}

/** A synthetic context with Webex-shaped ids (for load against a receiver). */
export function syntheticContext(targetUrl: string): EnvelopeContext {
  return {
    webhookId: webexStyleId("WEBHOOK"),
    targetUrl,
    roomId: webexStyleId("ROOM"),
    personId: webexStyleId("PEOPLE"),
    personEmail: "loadgen@example.com",
    orgId: webexStyleId("ORGANIZATION"),
    botId: webexStyleId("PEOPLE"),
  };
}

/**
 * The JSON body of a `messages/created` webhook event with a fresh message id, so that every
 * request is a new job for the receiver (its job id is derived from `data.id`).
 */
export function messageCreatedBody(context: EnvelopeContext): string {
  const now = new Date().toISOString();
  return JSON.stringify({
    id: context.webhookId,
    name: "sparkbot bench",
    targetUrl: context.targetUrl,
    resource: "messages",
    event: "created",
    orgId: context.orgId,
    createdBy: context.botId,
    appId: webexStyleId("APPLICATION", "bench"),
    ownedBy: "creator",
    status: "active",
    created: now,
    actorId: context.personId,
    data: {
      id: webexStyleId("MESSAGE"),
      roomId: context.roomId,
      roomType: "direct",
      personId: context.personId,
      personEmail: context.personEmail,
      created: now,
    },
  });
}
