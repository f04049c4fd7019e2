// Public API of @sparkbot/core. Each section is owned by one folder under src/.

export * from "./errors/errors.js";
export * from "./webex/types.js";
export * from "./webex/client.js";
export * from "./webex/webhook-event.js";
export * from "./webex/webhook-event-builder.js";
export * from "./webex/ids.js";
export * from "./jobs/job.js";
export * from "./jobs/handled-events.js";
export * from "./jobs/room-order.js";
export * from "./jobs/redis-durability.js";
export * from "./config/env.js";
export * from "./config/config.js";
export * from "./config/node-flags.js";
export * from "./logging/logger.js";
export * from "./commandline/tokenize.js";
export { createWebexClient } from "./webex/sdk-client.js";
export { createHttpWebexClient } from "./webex/http-client.js";
export {
  bypassesProxy,
  createWebexAgent,
  sendHttp,
  type HttpAnswer,
  type HttpExchange,
} from "./webex/http-transport.js";
export { createWebexClientOfKind, webexClientOptionsFor } from "./webex/select-client.js";
export { DEFAULT_WEBEX_TIMEOUT_MS, WEBEX_SDK_LOG_LEVELS } from "./webex/sdk-config.js";
export { toWebexError } from "./webex/sdk-errors.js";
export * from "./bot/index.js";
export * from "./cards/index.js";
export * from "./access/index.js";
export * from "./config/access-config.js";
export * from "./helpers/index.js";
export { isWildcardHost, listenUrls } from "./net/listen-urls.js";
