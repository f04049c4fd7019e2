import { describe, expect, it } from "vitest";
import { jobIdFor, objectUuidOf, restIdOf, sameWebexId } from "../../src/index.js";

const UUID = "9a1b2c3d-4e5f-4a6b-8c7d-0e1f2a3b4c5d";
const idOf = (id: string, resource = "messages", event = "created") =>
  jobIdFor({ resource, event, data: { id } });

describe("jobIdFor", () => {
  it("gives every form of one Webex object's id the same job id", () => {
    const plain = Buffer.from(`ciscospark://us/MESSAGE/${UUID}`).toString("base64");
    const forms = [
      plain, // padded standard base64
      plain.replace(/=+$/, ""),
      Buffer.from(`ciscospark://us/MESSAGE/${UUID}`).toString("base64url"),
      Buffer.from(`ciscospark://urn:TEAM:us-east-2_a/MESSAGE/${UUID}`).toString("base64"),
      restIdOf("MESSAGE", UUID.toUpperCase()),
      UUID,
      UUID.toUpperCase(),
    ];
    const ids = new Set(forms.map((form) => idOf(form)));
    expect([...ids]).toEqual([`messages-created-u.${UUID}`]);
  });

  it("gives different ids different job ids, including ids differing only by : and _", () => {
    const ids = [
      "a:b",
      "a_b",
      "a_3ab",
      "a.b",
      "a-b",
      "a/b",
      "é",
      "_c3_a9",
      "x.y",
      UUID,
      UUID.replace(/d$/, "e"),
      `${UUID}:${UUID}`,
      `${UUID}_${UUID}`,
    ];
    const jobIds = ids.map((id) => idOf(id));
    expect(new Set(jobIds).size).toBe(ids.length);
    for (const jobId of jobIds) expect(jobId).not.toContain(":");
  });

  it("does not take a string that only decodes leniently for a Webex id", () => {
    const valid = restIdOf("MESSAGE", UUID);
    const garbled = `${valid.slice(0, 4)}*${valid.slice(4)}`; // Buffer.from ignores the '*'
    expect(objectUuidOf(garbled)).toBeUndefined();
    expect(idOf(garbled)).not.toBe(idOf(valid));
  });

  it("keeps resource and event apart: created and deleted of one object are two jobs", () => {
    expect(idOf(UUID, "memberships", "created")).not.toBe(idOf(UUID, "memberships", "deleted"));
    expect(idOf("a-b", "x", "y-z")).not.toBe(idOf("z-a-b", "x-y", "z"));
  });

  it("tells a membership made again apart (same id, new created), and not its repeats", () => {
    const id = restIdOf("MEMBERSHIP", `${UUID}:${UUID.replace(/^a/, "b")}`);
    const event = (created: string | undefined) => ({
      resource: "memberships",
      event: "created",
      data: { id, ...(created === undefined ? {} : { created }) },
    });
    const first = jobIdFor(event("2024-05-20T09:00:00.000Z"));
    expect(jobIdFor(event("2024-05-20T09:00:00.000Z"))).toBe(first);
    expect(jobIdFor(event("2024-05-20T10:00:00.000Z"))).not.toBe(first);
    expect(jobIdFor(event(undefined))).not.toBe(first);
    expect(first).not.toContain(":");
    // Only memberships: a message's created time never changes its job.
    const message = { resource: "messages", event: "created", data: { id: UUID, created: "x" } };
    expect(jobIdFor(message)).toBe(jobIdFor({ ...message, data: { id: UUID } }));
  });
});

describe("sameWebexId", () => {
  it("matches a REST id and its bare uuid, any case, and nothing else", () => {
    expect(sameWebexId(restIdOf("PEOPLE", UUID), UUID.toUpperCase())).toBe(true);
    expect(sameWebexId(restIdOf("PEOPLE", UUID), restIdOf("PEOPLE", UUID.replace(/d$/, "e")))).toBe(
      false,
    );
    expect(sameWebexId("person-1", "person-1")).toBe(true);
    expect(sameWebexId("person-1", "person-2")).toBe(false);
  });
});
