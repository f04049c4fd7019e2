// Public API of access control.
export {
  ROOM_TYPES,
  type AccessDenial,
  type AccessDenialReason,
  type AccessPolicy,
  type AccessRule,
  type DeniedAction,
} from "./rules.js";
export { isBotEmail } from "./check.js";
