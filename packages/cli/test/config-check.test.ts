import { describe, expect, it } from "vitest";
import { TEST_REDIS_URL } from "@sparkbot/testkit";
import {
  loadAll,
  maskSecret,
  maskUrlPassword,
  runConfigCheck,
} from "../src/commands/config-check.js";

const TOKEN = "ZDk0YzhkZDgtNWM4Ni00NGI4LWEyMTYtNmU3YjA0ZDU4MjU4_P0A1_5fab1adb";

async function check(env: NodeJS.ProcessEnv): Promise<{ code: number; lines: string[] }> {
  const lines: string[] = [];
  const code = await runConfigCheck({ env, offline: true, write: (line) => lines.push(line) });
  return { code, lines };
}

describe("sparkbot config check", () => {
  it("prints every variable, secrets masked, and exits 0 on a good configuration", async () => {
    const env = {
      WEBEX_ACCESS_TOKEN: TOKEN,
      WEBHOOK_SECRET: "s3cret-s3cret-s3cret",
      REDIS_URL: "redis://:pw@redis:6379",
    };
    const { code, lines } = await check(env);
    expect(code).toBe(0);
    const output = lines.join("\n");
    expect(output).not.toContain(TOKEN);
    expect(output).not.toContain("s3cret-s3cret-s3cret");
    expect(output).not.toContain(":pw@");
    expect(output).toMatch(/^WEBEX_ACCESS_TOKEN\s+ZDk0…1adb$/m);
    expect(output).toMatch(/^REDIS_URL\s+redis:\/\/:\*\*\*\*@redis:6379$/m);
    expect(output).toMatch(/^WORKER_CONCURRENCY\s+16\s+\(default\)$/m);
    expect(lines.at(-1)).toBe("config check: ok");
  });

  it("reports every problem, one line each, and exits 1", async () => {
    const env = { RECEIVER_PORT: "eighty", WEBHOOK_URL: "not a url", WORKER_CONCURRENCY: "0" };
    const { code, lines } = await check(env);
    expect(code).toBe(1);
    const problems = lines.filter((line) => line.startsWith("problem: "));
    expect(problems).toHaveLength(4);
    expect(problems.join("\n")).toContain("WEBEX_ACCESS_TOKEN (or SPARK_ACCESS_TOKEN) is not set");
    expect(problems.join("\n")).toContain('RECEIVER_PORT must be a whole number, got "eighty"');
    expect(problems.join("\n")).toContain("WEBHOOK_URL must be an absolute URL");
    expect(problems.join("\n")).toContain("WORKER_CONCURRENCY must be between 1 and 1000");
    expect(lines).toContainEqual(expect.stringMatching(/^RECEIVER_PORT\s+\(invalid\)$/));
    expect(lines.at(-1)).toBe("config check: 4 problem(s)");
  });

  it("checks that Redis answers unless --offline, and blames the network, not the token", async () => {
    const lines: string[] = [];
    const env = {
      WEBEX_ACCESS_TOKEN: TOKEN,
      REDIS_URL: TEST_REDIS_URL,
      WEBEX_API_URL: "http://127.0.0.1:9/v1",
    };
    const code = await runConfigCheck({ env, offline: false, write: (line) => lines.push(line) });
    expect(lines).toContain(`reachable: Redis at ${TEST_REDIS_URL.replace(/\/$/, "")}`);
    expect(lines).toContain("loads: the bot module (the example bot)");
    const problems = lines.filter((line) => line.startsWith("problem: "));
    expect(problems).toEqual([
      expect.stringMatching(
        /^problem: WEBEX_API_URL: cannot reach Webex at http:\/\/127\.0\.0\.1:9\/v1 \(.*ECONNREFUSED.*\): a network problem; the token was not checked$/,
      ),
    ]);
    expect(code).toBe(1);
  }, 30_000);

  it("shows the worker's tuning, the SDK's settings and access control, with defaults", async () => {
    const { code, lines } = await check({
      WEBEX_ACCESS_TOKEN: TOKEN,
      WORKER_MAX_STALLED_COUNT: "5",
    });
    expect(code).toBe(0);
    const output = lines.join("\n");
    expect(output).toMatch(/^WORKER_LOCK_DURATION_MS\s+30000\s+\(default\)$/m);
    expect(output).toMatch(/^WORKER_STALLED_INTERVAL_MS\s+30000\s+\(default\)$/m);
    expect(output).toMatch(/^WORKER_MAX_STALLED_COUNT\s+5$/m);
    expect(output).toMatch(/^WEBEX_LOG_LEVEL\s+silent\s+\(default\)$/m);
    expect(output).toMatch(/^ACCESS_ALLOW_EMAILS\s+\(not set: anyone\)$/m);
    expect(output).toMatch(/^ACCESS_DENIED\s+reply\s+\(default\)$/m);
    expect(output).toMatch(/^ACCESS_ALLOW_BOTS\s+false\s+\(default\)$/m);
  });

  it("reports bad tuning, SDK and access values, one line each", async () => {
    const env = {
      WEBEX_ACCESS_TOKEN: TOKEN,
      WORKER_LOCK_DURATION_MS: "10",
      WORKER_STALLED_INTERVAL_MS: "soon",
      WEBEX_LOG_LEVEL: "loud",
      ACCESS_ALLOW_EMAILS: "ada@example.com,bob",
      ACCESS_ALLOW_EMAIL_DOMAINS: "example.com",
      ACCESS_COMMANDS: "{deploy}",
      ACCESS_DENIED: "shout",
    };
    const { code, lines } = await check(env);
    expect(code).toBe(1);
    const problems = lines.filter((line) => line.startsWith("problem: "));
    expect(problems).toHaveLength(6);
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.stringContaining("WORKER_LOCK_DURATION_MS must be between 500"),
        expect.stringContaining('WORKER_STALLED_INTERVAL_MS must be a whole number, got "soon"'),
        expect.stringContaining("WEBEX_LOG_LEVEL must be one of silent, error"),
        expect.stringContaining('ACCESS_ALLOW_EMAILS holds "bob", which is not an email address'),
        expect.stringContaining("ACCESS_COMMANDS must be JSON like"),
        expect.stringContaining('ACCESS_DENIED must be one of reply, silent, got "shout"'),
      ]),
    );
    expect(lines).toContainEqual(expect.stringMatching(/^ACCESS_ALLOW_EMAILS\s+\(invalid\)$/));
    expect(lines).toContainEqual(
      expect.stringMatching(/^ACCESS_ALLOW_EMAIL_DOMAINS\s+example.com$/),
    );
  });

  it("checks ACCESS_COMMANDS against the bot's commands", async () => {
    const good = await check({ WEBEX_ACCESS_TOKEN: TOKEN, ACCESS_COMMANDS: '{"echo,slow":{}}' });
    expect(good.code).toBe(0);
    expect(good.lines).toContain("checked: ACCESS_COMMANDS names commands of the example bot");
    const bad = await check({ WEBEX_ACCESS_TOKEN: TOKEN, ACCESS_COMMANDS: '{"ping,deplyo":{}}' });
    expect(bad.code).toBe(1);
    expect(bad.lines).toContain(
      'problem: ACCESS_COMMANDS names "deplyo", which the example bot has no command for',
    );
  });
  it("shows an unset token as (not set), and a bad value as (invalid)", async () => {
    const { lines } = await check({ RECEIVER_PORT: "eighty" });
    expect(lines).toContainEqual(expect.stringMatching(/^WEBEX_ACCESS_TOKEN\s+\(not set\)$/));
    expect(lines).toContainEqual(expect.stringMatching(/^RECEIVER_PORT\s+\(invalid\)$/));
    expect(lines).toContainEqual(expect.stringMatching(/^PORT\s+\(not set: /));
  });

  it("covers the worker's timing, the SDK's log level and what core lets pass silently", async () => {
    const { code, lines } = await check({
      WEBEX_ACCESS_TOKEN: TOKEN,
      WORKER_LOCK_DURATION_MS: "5000",
      WORKER_MAX_STALLED_COUNT: "many",
      WEBEX_LOG_LEVEL: "loud",
      SLOW_COMMAND_MS: "soon",
    });
    expect(code).toBe(1);
    expect(lines).toContainEqual(expect.stringMatching(/^WORKER_LOCK_DURATION_MS\s+5000$/));
    expect(lines).toContainEqual(expect.stringMatching(/^WORKER_MAX_STALLED_COUNT\s+\(invalid\)$/));
    const problems = lines.filter((line) => line.startsWith("problem: "));
    expect(problems).toEqual([
      'problem: WORKER_MAX_STALLED_COUNT must be a whole number, got "many"',
      expect.stringMatching(/^problem: WEBEX_LOG_LEVEL must be one of silent, .*got "loud"/),
      expect.stringMatching(/^problem: SLOW_COMMAND_MS must be a whole number .*got "soon"/),
    ]);
  });

  it("names a bot module that does not load", async () => {
    const lines: string[] = [];
    const env = {
      WEBEX_ACCESS_TOKEN: TOKEN,
      REDIS_URL: TEST_REDIS_URL,
      WEBEX_API_URL: "http://127.0.0.1:9/v1",
      BOT_MODULE: "./no/such/bot.ts",
    };
    await runConfigCheck({ env, offline: false, write: (line) => lines.push(line) });
    expect(lines).toContainEqual(
      expect.stringMatching(/^problem: BOT_MODULE "\.\/no\/such\/bot\.ts" could not be loaded/),
    );
  }, 30_000);

  it("accepts the original's SPARK_ACCESS_TOKEN", () => {
    expect(loadAll({ SPARK_ACCESS_TOKEN: TOKEN }).problems).toEqual([]);
  });

  it("masks secrets and URL passwords", () => {
    expect(maskSecret("short")).toBe("****");
    expect(maskSecret("abcdefghijklmnop")).toBe("abcd…mnop");
    expect(maskUrlPassword("redis://user:pw@host:6379")).toBe("redis://user:****@host:6379");
    expect(maskUrlPassword("redis://host:6379")).toBe("redis://host:6379");
  });
});
