// Public API of @sparkbot/emulator: a local Webex for tests, the dev loop and benchmarks.
export { startEmulator, type EmulatorOptions, type RunningEmulator } from "./server.js";
export { EmulatorControl, type ControlPerson, type FaultRequest } from "./control/client.js";
export type { DeliveryRecord, Team, WebhookRecord } from "./state/records.js";
export type { RawHandler } from "./http/router.js";
export { EmulatorStore } from "./state/store.js";
export { webexId, decodeWebexId, webexToken } from "./ids.js";
export { sign as signWebhookBody, FAILURE_LIMIT, FAILURE_WINDOW_MS } from "./webhooks/delivery.js";
export { MAX_MESSAGE_BYTES } from "./state/compose.js";
export { FaultInjector, type FaultSpec } from "./faults.js";
export { DEFAULT_WEBEX_RULES, type WebexRules } from "./state/card-rules.js";
export type { MembershipChange } from "./services.js";
export type { MercuryState } from "./mercury/hub.js";
export type { WdmDevice } from "./mercury/devices.js";
export {
  DEFAULT_DEVICE_LIMIT,
  EXCESSIVE_DEVICES,
  MERCURY_PATH,
  WDM_PATH,
} from "./mercury/devices.js";
export { seedDevWorld, stableUuid, type SeedOptions, type SeededWorld } from "./seed.js";
