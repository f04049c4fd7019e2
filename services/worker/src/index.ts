// Public API of @sparkbot/worker: what tests, the dev CLI and the benchmarks use.
export { startWorker, type RunningWorker, type StartWorkerOptions } from "./start-worker.js";
export { loadBot, DEFAULT_BOT_MODULE } from "./bot-loader.js";
export type { CommandRun, CommandRunInput, CommandOutcome, RunnableBot } from "./bot-contract.js";
export { loadWorkerTuning } from "./settings.js";
export { createQueueWorker, DEFAULT_TUNING, type WorkerTuning } from "./worker.js";
export { createJobProcessor, type JobAttempt, type JobResult } from "./job-processor.js";
export {
  createDeliveryLedger,
  ledgerKey,
  messageClaimKey,
  LockLostError,
  type Claim,
} from "./delivery-ledger.js";
export { findDeliveredReply, type UnsureReply, type SearchResult } from "./delivered-reply.js";
export { sameContent, containsJson } from "./reply-content.js";
export { deliverReply, type ReplyTarget } from "./reply-delivery.js";
export { classifyFailure, rateLimitDelayMs, type FailureDecision } from "./retry-policy.js";
export { createWorkerMetrics, type WorkerMetrics } from "./metrics.js";
export { instrumentWebexClient } from "./instrumented-webex.js";
export { drainWorker } from "./shutdown.js";
export { createRoomTurns, DEFAULT_ROOM_TURN_MAX_WAIT_MS, type RoomTurns } from "./room-turn.js";
