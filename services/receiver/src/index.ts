// Public API of @sparkbot/receiver: the app, its parts, and an in-process starter.

export { createApp, type AppDeps, type ReadinessReport } from "./app.js";
export { startReceiver, type RunningReceiver, type StartReceiverOptions } from "./start.js";
export { verifySignature, signBody, SIGNATURE_HEADER, type SignatureCheck } from "./signature.js";
export {
  createMetrics,
  OUTCOMES,
  QUEUE_STATES,
  type Outcome,
  type QueueState,
  type ReceiverMetrics,
  type MetricsOptions,
} from "./metrics.js";
export {
  createEventQueue,
  EVENT_JOB_OPTIONS,
  DEFAULT_DEDUPE_WINDOW_MS,
  QueueUnavailableError,
  type Enqueuer,
  type EventQueue,
  type EventQueueOptions,
} from "./event-queue.js";
export {
  createProducerRedis,
  pingRedis,
  waitForRedis,
  type ProducerRedisOptions,
} from "./redis.js";
export { HANDLED_EVENTS } from "./http/webhook.js";
export {
  startRegistrar,
  WANTED_WEBHOOKS,
  wantedWebhooksFromRedis,
  type Registrar,
  type RegistrarOptions,
} from "./registration/registrar.js";
export {
  reconcileWebhooks,
  webhookName,
  type ReconcileReport,
  type ReconcileOptions,
  type WantedWebhook,
} from "./registration/reconcile.js";
export { resolveWebhookSecret, secretKey } from "./registration/secret.js";
export { withRedisLock, registrationLockKey, type LockOptions } from "./registration/lock.js";
export {
  startListener,
  type Listener,
  type ListenerOptions,
  type ListenerStatus,
  type Reconnect,
} from "./websocket/listener.js";
export {
  afterClose,
  runSession,
  type SessionEnd,
  type SessionOptions,
} from "./websocket/connection.js";
export { discoverServices, type ServiceCatalog } from "./websocket/discovery.js";
export { deviceKey } from "./websocket/device.js";
export { leaseKey } from "./websocket/lease.js";
export { WEBSOCKET_ORIGIN, translateActivity } from "./websocket/activity-events.js";
