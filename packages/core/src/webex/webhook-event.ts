import { z } from "zod";
import { WebhookEventError } from "../errors/errors.js";
import { isWellFormedWebhookEvent } from "./webhook-event-check.js";

/**
 * The envelope Webex POSTs to a webhook's target URL. `data` carries ids only, never the
 * message text: the worker fetches the message itself.
 */
export const webhookEventSchema = z
  .object({
    id: z.string().min(1),
    name: z.string(),
    targetUrl: z.string(),
    resource: z.string().min(1),
    event: z.string().min(1),
    filter: z.string().optional(),
    orgId: z.string().optional(),
    createdBy: z.string().optional(),
    appId: z.string().optional(),
    ownedBy: z.string().optional(),
    status: z.string().optional(),
    created: z.string().optional(),
    actorId: z.string().optional(),
    data: z
      .object({
        id: z.string().min(1),
        roomId: z.string().optional(),
        roomType: z.enum(["direct", "group"]).optional(),
        personId: z.string().optional(),
        personEmail: z.string().optional(),
        mentionedPeople: z.array(z.string()).optional(),
        messageId: z.string().optional(),
        parentId: z.string().optional(),
        created: z.string().optional(),
      })
      .passthrough(),
  })
  .passthrough();

export type WebhookEvent = z.infer<typeof webhookEventSchema>;

/**
 * Validates a parsed webhook body; throws `WebhookEventError` whose message says what is wrong.
 * A well-formed body (the usual case) is checked by hand and returned as it is, not copied;
 * anything else goes through the zod schema (its copy, or its error).
 */
export function parseWebhookEvent(body: unknown): WebhookEvent {
  if (isWellFormedWebhookEvent(body)) return body as WebhookEvent;
  const result = webhookEventSchema.safeParse(body);
  if (!result.success) {
    throw new WebhookEventError(`Malformed webhook event: ${describeZodError(result.error)}`);
  }
  return result.data;
}

/** One line naming each bad field, e.g. `data.id: Required; resource: Expected string`. */
export function describeZodError(error: z.ZodError): string {
  return error.issues
    .map((issue) => `${issue.path.length > 0 ? issue.path.join(".") : "(root)"}: ${issue.message}`)
    .join("; ");
}
