import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { Redis } from "ioredis";
import { redisDurabilityProblem } from "@sparkbot/core";
import { PrivateRedis } from "@sparkbot/testkit";

let redis: PrivateRedis | undefined;
let dir: string | undefined;
let client: Redis | undefined;

afterEach(async () => {
  client?.disconnect();
  await redis?.stop();
  if (dir !== undefined) await rm(dir, { recursive: true, force: true });
  client = redis = dir = undefined;
});

async function clientOf(args: string[]): Promise<Redis> {
  redis = await PrivateRedis.start(args);
  client = new Redis(redis.url);
  return client;
}

describe("redisDurabilityProblem", () => {
  it("is satisfied by appendonly yes with appendfsync always", async () => {
    dir = await mkdtemp(join(tmpdir(), "sparkbot-aof-"));
    const args = ["--appendonly", "yes", "--appendfsync", "always", "--dir", dir];
    expect(await redisDurabilityProblem(await clientOf(args))).toBeUndefined();
  });

  it("names what falls short: no AOF, or AOF fsync'd every second", async () => {
    expect(await redisDurabilityProblem(await clientOf([]))).toMatch(
      /^Redis runs with appendonly no and appendfsync everysec: a Redis crash can lose/,
    );
    await redis?.stop();
    client?.disconnect();
    dir = await mkdtemp(join(tmpdir(), "sparkbot-aof-"));
    const everysec = await clientOf(["--appendonly", "yes", "--dir", dir]);
    expect(await redisDurabilityProblem(everysec)).toMatch(
      /appendonly yes and appendfsync everysec/,
    );
  });

  it("says it cannot verify a Redis that refuses CONFIG", async () => {
    const renamed = await clientOf(["--rename-command", "CONFIG", ""]);
    expect(await redisDurabilityProblem(renamed)).toMatch(
      /^Redis persistence cannot be verified \(CONFIG GET refused: .*unknown command/i,
    );
  });
});
