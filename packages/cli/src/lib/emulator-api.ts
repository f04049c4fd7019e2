import { requestJson } from "./http.js";

/** A person or bot account created through the emulator's control API. */
export interface EmulatorPerson {
  id: string;
  displayName: string;
  emails: string[];
  /** Bearer token for the REST API at `<emulator>/v1`. */
  token: string;
}

/** A room created through the control API. */
export interface EmulatorRoom {
  id: string;
  title: string;
  type: "direct" | "group";
}

/** A message as the control API lists it. */
export interface EmulatorMessage {
  id: string;
  roomId: string;
  personId: string;
  text?: string;
  markdown?: string;
  html?: string;
  parentId?: string;
  created: string;
}

/**
 * The emulator's control API (`/_emulator/...`, documented in packages/emulator's README): the
 * stable routes tools outside the emulator rely on.
 */
export class EmulatorApi {
  constructor(readonly baseUrl: string) {}

  createPerson(person: {
    displayName: string;
    email: string;
    type: "person" | "bot";
  }): Promise<EmulatorPerson> {
    return requestJson("POST", `${this.baseUrl}/_emulator/people`, { body: person });
  }

  createRoom(room: {
    title: string;
    type: "direct" | "group";
    members: string[];
  }): Promise<EmulatorRoom> {
    return requestJson("POST", `${this.baseUrl}/_emulator/rooms`, { body: room });
  }

  sendMessage(message: {
    personId: string;
    roomId: string;
    text: string;
    mentions?: string[];
  }): Promise<EmulatorMessage> {
    return requestJson("POST", `${this.baseUrl}/_emulator/messages`, { body: message });
  }

  async roomMessages(roomId: string): Promise<EmulatorMessage[]> {
    const url = `${this.baseUrl}/_emulator/rooms/${encodeURIComponent(roomId)}/messages`;
    const page = await requestJson<{ items: EmulatorMessage[] }>("GET", url);
    return page.items;
  }
}
