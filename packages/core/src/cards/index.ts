// Public API of Adaptive Cards: types, the typed helpers, and the checks replies pass.
export * from "./card-types.js";
export * from "./builders.js";
export {
  MAX_CARD_ACTIONS,
  MAX_CARD_BYTES,
  validateAttachments,
  validateCard,
} from "./card-validation.js";
