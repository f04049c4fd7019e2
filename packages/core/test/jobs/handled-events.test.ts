import { describe, expect, it } from "vitest";
import {
  handledEventsKey,
  parseHandledEvents,
  serializeHandledEvents,
  wantedWebhooks,
} from "../../src/index.js";

const base = [
  { resource: "messages", event: "created" },
  { resource: "attachmentActions", event: "created" },
];

describe("wantedWebhooks", () => {
  it("registers messages and card actions for every bot, memberships only when handled", () => {
    expect(wantedWebhooks({ memberships: [] }, "bot-1")).toEqual(base);
  });

  it("filters on the bot when it only cares about its own arrival or departure", () => {
    expect(wantedWebhooks({ memberships: ["botAdded", "botRemoved"] }, "bot-1")).toEqual([
      ...base,
      { resource: "memberships", event: "created", filter: "personId=bot-1" },
      { resource: "memberships", event: "deleted", filter: "personId=bot-1" },
    ]);
  });

  it("takes every membership event when others' comings and goings are handled", () => {
    expect(
      wantedWebhooks({ memberships: ["botAdded", "personJoined", "personLeft"] }, "b"),
    ).toEqual([
      ...base,
      { resource: "memberships", event: "created" },
      { resource: "memberships", event: "deleted" },
    ]);
  });

  it("registers everything, unfiltered, until a worker said what its bot handles", () => {
    expect(wantedWebhooks(undefined, "b")).toEqual([
      ...base,
      { resource: "memberships", event: "created" },
      { resource: "memberships", event: "deleted" },
    ]);
  });
});

describe("the published form", () => {
  it("round-trips, and ignores what it cannot read", () => {
    const text = serializeHandledEvents({ memberships: ["botAdded"] });
    expect(parseHandledEvents(text)).toEqual({ memberships: ["botAdded"] });
    expect(parseHandledEvents(null)).toBeUndefined();
    expect(parseHandledEvents("not json")).toBeUndefined();
    expect(parseHandledEvents('{"v":2,"memberships":[]}')).toBeUndefined();
    expect(parseHandledEvents('{"v":1,"memberships":["botAdded","dance"]}')).toEqual({
      memberships: ["botAdded"],
    });
    expect(handledEventsKey("{sparkbot}")).toBe("{sparkbot}:sparkbot:handled-events");
  });
});
