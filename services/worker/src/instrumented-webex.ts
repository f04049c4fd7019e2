import {
  WebexApiError,
  WebexNetworkError,
  WebexTimeoutError,
  type WebexClient,
} from "@sparkbot/core";
import type { Counter } from "prom-client";

/** The `status` label of a Webex call: `2xx`, the HTTP status, `network`, `timeout` or `error`. */
export function webexStatusLabel(error: unknown): string {
  if (error instanceof WebexApiError) return String(error.status);
  if (error instanceof WebexNetworkError) return "network";
  if (error instanceof WebexTimeoutError) return "timeout";
  return "error";
}

/**
 * Wraps a Webex client so that every call (the worker's own and those a command handler makes
 * through its context) is counted in `sparkbot_webex_requests_total{operation,status}`, with
 * operations named like `messages.create`. Behaviour is otherwise unchanged.
 */
export function instrumentWebexClient(
  client: WebexClient,
  requests: Counter<"operation" | "status">,
): WebexClient {
  return new Proxy(client, {
    get(target, namespace, receiver) {
      const value: unknown = Reflect.get(target, namespace, receiver);
      if (typeof namespace !== "string" || typeof value !== "object" || value === null) {
        return value;
      }
      return instrumentNamespace(namespace, value, requests);
    },
  });
}

function instrumentNamespace(
  namespace: string,
  api: object,
  requests: Counter<"operation" | "status">,
): object {
  return new Proxy(api, {
    get(target, method, receiver) {
      const value: unknown = Reflect.get(target, method, receiver);
      if (typeof method !== "string" || typeof value !== "function") return value;
      const operation = `${namespace}.${method}`;
      return async (...args: unknown[]): Promise<unknown> => {
        try {
          const result: unknown = await Reflect.apply(value, target, args);
          requests.inc({ operation, status: "2xx" });
          return result;
        } catch (error) {
          requests.inc({ operation, status: webexStatusLabel(error) });
          throw error;
        }
      };
    },
  });
}
