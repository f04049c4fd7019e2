import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Redis } from "ioredis";
import { describe, expect, it } from "vitest";
import { TEST_REDIS_URL, waitFor } from "@sparkbot/testkit";
import { ChildSet } from "../src/dev/children.js";
import { NO_REDIS_HINT, NoRedisError, provideRedis } from "../src/dev/redis.js";
import { freePort } from "../src/lib/ports.js";
import { redisAnswers } from "../src/lib/redis-ping.js";

describe("provideRedis", () => {
  it("uses REDIS_URL when it answers", async () => {
    const children = new ChildSet(() => undefined);
    const redis = await provideRedis({ ...process.env, REDIS_URL: TEST_REDIS_URL }, children);
    expect(redis).toMatchObject({ url: TEST_REDIS_URL, source: "env" });
    expect(children.pids()).toEqual({});
  });

  it("refuses a REDIS_URL that does not answer, naming it", async () => {
    const url = `redis://127.0.0.1:${await freePort()}`;
    const children = new ChildSet(() => undefined);
    await expect(provideRedis({ ...process.env, REDIS_URL: url }, children)).rejects.toThrow(
      `REDIS_URL=${url} does not answer PING`,
    );
  });

  it("starts a private redis-server when none answers, and stops it with the session", async () => {
    const silent = `redis://127.0.0.1:${await freePort()}`;
    const children = new ChildSet(() => undefined);
    const env = { ...process.env, REDIS_URL: undefined };
    const redis = await provideRedis(env, children, silent);
    try {
      expect(redis.source).toBe("private");
      expect(redis.url).not.toBe(silent);
      expect(await redisAnswers(redis.url)).toBe(true);
      expect(Object.keys(children.pids())).toEqual(["redis"]);
    } finally {
      await children.stopAll(5_000);
      redis.cleanup();
    }
    expect(await redisAnswers(redis.url, 300)).toBe(false);
  });

  it("runs the private redis-server with every write on disk, and keeps its data when asked", async () => {
    const silent = `redis://127.0.0.1:${await freePort()}`;
    const dataDir = await mkdtemp(join(tmpdir(), "sparkbot-dev-redis-"));
    const env = { ...process.env, REDIS_URL: undefined };
    try {
      const first = new ChildSet(() => undefined);
      const redis = await provideRedis(env, first, silent, dataDir);
      const client = new Redis(redis.url, { lazyConnect: true });
      try {
        await client.connect();
        expect(await client.config("GET", "appendonly")).toEqual(["appendonly", "yes"]);
        expect(await client.config("GET", "appendfsync")).toEqual(["appendfsync", "always"]);
        await client.set("accepted-job", "1");
      } finally {
        client.disconnect();
      }
      first.killAllNow(); // a crash: SIGKILL
      await waitFor(async () => !(await redisAnswers(redis.url, 200)), { what: "Redis gone" });
      redis.cleanup(); // a data directory that was given is kept

      const second = new ChildSet(() => undefined);
      const again = await provideRedis(env, second, silent, dataDir);
      const reader = new Redis(again.url, { lazyConnect: true });
      try {
        await reader.connect();
        expect(await reader.get("accepted-job")).toBe("1"); // back after a crash
      } finally {
        reader.disconnect();
        await second.stopAll(5_000);
      }
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });

  it("says in one line how to get Redis when there is none and no redis-server", async () => {
    const silent = `redis://127.0.0.1:${await freePort()}`;
    const children = new ChildSet(() => undefined);
    const env = { PATH: "/nonexistent" };
    const failure = provideRedis(env, children, silent);
    await expect(failure).rejects.toBeInstanceOf(NoRedisError);
    await expect(failure).rejects.toThrow(NO_REDIS_HINT);
    expect(NO_REDIS_HINT).not.toContain("\n");
  });
});
