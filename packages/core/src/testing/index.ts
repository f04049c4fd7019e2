// @sparkbot/core/testing: unit-test commands with no Redis and no network.
export { InMemoryWebex, fakeWebexId, type NewPerson } from "./in-memory-webex.js";
export {
  TestChat,
  createTestChat,
  webhookEventFor,
  type SendOptions,
  type TestChatOptions,
  type TestChatResult,
  type CallerSpec,
} from "./test-chat.js";
