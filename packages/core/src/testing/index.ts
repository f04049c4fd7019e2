// @sparkbot/core/testing: unit-test commands, card actions and membership events with no Redis
// and no network.
export { InMemoryWebex, fakeWebexId, type NewPerson } from "./in-memory-webex.js";
export {
  TestChat,
  createTestChat,
  type SendOptions,
  type SubmitOptions,
  type MembershipEventOptions,
  type TestChatOptions,
  type TestChatResult,
  type CallerSpec,
} from "./test-chat.js";
export { actionEventFor, membershipEventFor, webhookEventFor } from "./webhook-events.js";
export { submittedInputs } from "./card-submission.js";
