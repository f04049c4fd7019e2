import { describe, expect, test } from "vitest";
import {
  CommandError,
  WebexApiError,
  checkIfInOrg,
  checkIfInTeam,
  getPersonByEmail,
  getPersonById,
  isGroup,
  mentionPerson,
  minargs,
} from "@sparkbot/core";
import { InMemoryWebex } from "@sparkbot/core/testing";

describe("minargs", () => {
  test("counts the arguments after the command name", () => {
    expect(minargs(1, ["testcommand", "some"])).toBe(true);
    expect(minargs(1, ["testcommand"])).toBe(false);
    expect(minargs(0, ["testcommand"])).toBe(true);
    expect(minargs(2, ["t", "a", "b", "c"])).toBe(true);
  });

  test("rejects wrong types", () => {
    expect(() => minargs(-1, ["x"])).toThrow(TypeError);
    expect(() => minargs(1.5, ["x"])).toThrow(TypeError);
    expect(() => minargs(1, "x y" as unknown as string[])).toThrow(TypeError);
  });
});

describe("mentionPerson", () => {
  test("uses the first name, or the display name", () => {
    expect(mentionPerson({ id: "P1", displayName: "Ada Lovelace", firstName: "Ada" })).toBe(
      "<@personId:P1|Ada>",
    );
    expect(mentionPerson({ id: "P2", displayName: "Grace Hopper" })).toBe(
      "<@personId:P2|Grace Hopper>",
    );
  });

  test("needs an id", () => {
    expect(() => mentionPerson({ id: "", displayName: "x" })).toThrow(TypeError);
  });
});

describe("people and rooms through the client", () => {
  const setup = () => {
    const webex = new InMemoryWebex();
    const ada = webex.addPerson({ displayName: "Ada Lovelace", emails: ["ada@example.com"] });
    const outsider = webex.addPerson({ displayName: "Out Sider", orgId: "OTHER-ORG" });
    return { webex, ada, outsider };
  };

  test("getPersonByEmail finds exactly one person", async () => {
    const { webex, ada } = setup();
    expect(await getPersonByEmail(webex, " ada@example.com ")).toEqual(ada);
  });

  test.each([
    ["not-an-email", "not a valid e-mail address"],
    ["a b@example.com", "not a valid e-mail address"],
    ["nobody@example.com", "Nobody was found"],
    ["twin@example.com", "More than one person"],
  ])("getPersonByEmail(%s) throws a CommandError", async (email, words) => {
    const { webex } = setup();
    webex.addPerson({ displayName: "Twin One", emails: ["twin@example.com"] });
    webex.addPerson({ displayName: "Twin Two", emails: ["twin@example.com"] });
    const promise = getPersonByEmail(webex, email);
    await expect(promise).rejects.toBeInstanceOf(CommandError);
    await expect(promise).rejects.toThrow(words);
  });

  test("getPersonByEmail rejects a non-string", async () => {
    const { webex } = setup();
    await expect(getPersonByEmail(webex, 5 as unknown as string)).rejects.toBeInstanceOf(TypeError);
  });

  test("getPersonById fetches, and passes Webex errors through", async () => {
    const { webex, ada } = setup();
    expect(await getPersonById(webex, ada.id)).toEqual(ada);
    await expect(getPersonById(webex, "missing")).rejects.toBeInstanceOf(WebexApiError);
    await expect(getPersonById(webex, "")).rejects.toBeInstanceOf(TypeError);
  });

  test("isGroup takes a Room or a room id", async () => {
    const { webex, ada } = setup();
    const group = webex.addRoom({ type: "group", members: [ada] });
    const direct = webex.addRoom({ type: "direct", members: [ada] });
    expect(await isGroup(webex, group)).toBe(true);
    expect(await isGroup(webex, group.id)).toBe(true);
    expect(await isGroup(webex, direct.id)).toBe(false);
    await expect(isGroup(webex, "missing")).rejects.toBeInstanceOf(WebexApiError);
  });

  test("checkIfInTeam checks the team's memberships", async () => {
    const { webex, ada, outsider } = setup();
    webex.addTeamMember("TEAM-1", ada);
    expect(await checkIfInTeam(webex, "TEAM-1", ada)).toBe(true);
    expect(await checkIfInTeam(webex, "TEAM-1", ada.id)).toBe(true);
    expect(await checkIfInTeam(webex, "TEAM-1", outsider)).toBe(false);
    expect(await checkIfInTeam(webex, "TEAM-2", ada)).toBe(false);
  });

  test("checkIfInOrg compares the organization, fetching the person when given an id", async () => {
    const { webex, ada, outsider } = setup();
    expect(await checkIfInOrg(webex, ada.orgId, ada)).toBe(true);
    expect(await checkIfInOrg(webex, ada.orgId, outsider.id)).toBe(false);
    expect(await checkIfInOrg(webex, "OTHER-ORG", outsider.id)).toBe(true);
    await expect(checkIfInOrg(webex, "", ada)).rejects.toBeInstanceOf(TypeError);
  });
});
