import type { CardAttachment } from "../cards/card-types.js";

/**
 * The shapes of the Webex REST resources a bot uses, as Webex returns them. Only the fields
 * SparkBot reads are required; Webex adds more, which pass through untouched.
 */
export interface Person {
  id: string;
  emails: string[];
  displayName: string;
  nickName?: string;
  firstName?: string;
  lastName?: string;
  avatar?: string;
  orgId: string;
  type?: "person" | "bot" | "appuser";
  created?: string;
  [extra: string]: unknown;
}

export type RoomType = "direct" | "group";

export interface Room {
  id: string;
  title: string;
  type: RoomType;
  isLocked?: boolean;
  teamId?: string;
  creatorId?: string;
  created?: string;
  lastActivity?: string;
  [extra: string]: unknown;
}

export interface Message {
  id: string;
  roomId: string;
  roomType?: RoomType;
  parentId?: string;
  text?: string;
  markdown?: string;
  html?: string;
  files?: string[];
  personId: string;
  personEmail: string;
  mentionedPeople?: string[];
  mentionedGroups?: string[];
  /** A card: Webex takes and returns at most one. */
  attachments?: CardAttachment[];
  created: string;
  updated?: string;
  [extra: string]: unknown;
}

export interface NewMessage {
  roomId?: string;
  toPersonId?: string;
  toPersonEmail?: string;
  parentId?: string;
  text?: string;
  markdown?: string;
  /** One URL Webex fetches the file from. */
  files?: string[];
  /** One Adaptive Card attachment. */
  attachments?: CardAttachment[];
}

export interface Membership {
  id: string;
  roomId: string;
  personId: string;
  personEmail: string;
  personDisplayName?: string;
  personOrgId?: string;
  isModerator?: boolean;
  isMonitor?: boolean;
  isRoomHidden?: boolean;
  roomType?: RoomType;
  created?: string;
  [extra: string]: unknown;
}

export interface TeamMembership {
  id: string;
  teamId: string;
  personId: string;
  personEmail: string;
  personDisplayName?: string;
  personOrgId?: string;
  isModerator?: boolean;
  created?: string;
  [extra: string]: unknown;
}

export type WebhookResource =
  "messages" | "memberships" | "rooms" | "attachmentActions" | "meetings" | "all";

export type WebhookStatus = "active" | "inactive";

export interface Webhook {
  id: string;
  name: string;
  targetUrl: string;
  resource: string;
  event: string;
  filter?: string;
  secret?: string;
  status?: WebhookStatus;
  orgId?: string;
  createdBy?: string;
  appId?: string;
  ownedBy?: string;
  created?: string;
  [extra: string]: unknown;
}

export interface NewWebhook {
  name: string;
  targetUrl: string;
  resource: string;
  event: string;
  filter?: string;
  secret?: string;
}

export interface WebhookUpdate {
  name: string;
  targetUrl: string;
  secret?: string;
  status?: WebhookStatus;
}

export interface AttachmentAction {
  id: string;
  type: string;
  messageId: string;
  inputs: Record<string, unknown>;
  personId: string;
  roomId: string;
  created: string;
  [extra: string]: unknown;
}
