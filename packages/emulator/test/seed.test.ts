import { describe, expect, it } from "vitest";
import { startEmulator } from "../src/index.js";

async function me(apiUrl: string, token: string): Promise<{ status: number; id?: string }> {
  const response = await fetch(`${apiUrl}/people/me`, {
    headers: { authorization: `Bearer ${token}` },
  });
  const body = (await response.json()) as { id?: string };
  return { status: response.status, ...(body.id !== undefined ? { id: body.id } : {}) };
}

describe("startEmulator({ seed })", () => {
  it("seeds the dev world with the given bot token, and the same ids on every start", async () => {
    const first = await startEmulator({ seed: { botToken: "local-bot-token" } });
    const second = await startEmulator({ seed: { botToken: "local-bot-token" } });
    try {
      // The same bot, user, rooms and bot token (the user's token is not used by services).
      const { userToken: _a, ...stable } = first.seeded!;
      const { userToken: _b, ...again } = second.seeded!;
      expect(again).toEqual(stable);
      expect(first.seeded?.botToken).toBe("local-bot-token");
      for (const emulator of [first, second]) {
        expect(await me(emulator.apiUrl, "local-bot-token")).toEqual({
          status: 200,
          id: first.seeded?.botId,
        });
      }
      const rooms = await fetch(`${first.url}/_emulator/rooms`);
      const { items } = (await rooms.json()) as {
        items: { id: string; type: string; members: string[] }[];
      };
      expect(items.map((room) => room.type).sort()).toEqual(["direct", "group"]);
      for (const room of items) {
        expect(room.members.sort()).toEqual([first.seeded!.botId, first.seeded!.userId].sort());
      }
    } finally {
      await Promise.all([first.close(), second.close()]);
    }
  });

  it("without a token, the seeded bot gets a random one; without seed, nothing is created", async () => {
    const seeded = await startEmulator({ seed: {} });
    const bare = await startEmulator();
    try {
      expect(seeded.seeded?.botToken).toMatch(/^[A-Za-z0-9]+_P0A1_/);
      expect(await me(seeded.apiUrl, seeded.seeded!.botToken)).toMatchObject({ status: 200 });
      expect(await me(seeded.apiUrl, "local-bot-token")).toEqual({ status: 401 });
      expect(bare.seeded).toBeUndefined();
      expect(bare.store.people.size).toBe(0);
    } finally {
      await Promise.all([seeded.close(), bare.close()]);
    }
  });
});
