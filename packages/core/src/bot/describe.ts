import type { Message } from "../webex/types.js";

/**
 * Fields that describe a message in logs without its text (which may be private): ids, room
 * type, sizes, and how many files it carries.
 */
export function describeMessage(message: Message): Record<string, unknown> {
  return {
    messageId: message.id,
    roomId: message.roomId,
    roomType: message.roomType,
    personId: message.personId,
    parentId: message.parentId,
    textLength: message.text?.length ?? 0,
    hasHtml: message.html !== undefined,
    files: message.files?.length ?? 0,
  };
}
