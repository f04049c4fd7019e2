// How `sparkbot dev` says what is wrong: half of the real-Webex pair, a bad token or an
// unreachable Webex, a bot module that is missing or fails, each in one line naming the cause.
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { EmulatorControl, startEmulator, type RunningEmulator } from "@sparkbot/emulator";
import { TEST_REDIS_URL, deletePrefix, uniquePrefix } from "@sparkbot/testkit";
import { setUpWorld } from "../src/dev/emulator-setup.js";
import { DevSetupError, chooseDevMode, resolveBotModule } from "../src/dev/mode.js";
import { probeWebex } from "../src/lib/webex-probe.js";

const BIN = fileURLToPath(new URL("../dist/bin.js", import.meta.url));

/** Runs `sparkbot dev` to its exit; resolves with the exit code and everything it printed. */
function dev(args: string[], env: NodeJS.ProcessEnv, cwd: string) {
  const child = spawn(process.execPath, [BIN, "dev", ...args], {
    cwd,
    env: { PATH: process.env["PATH"], ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
    const timer = setTimeout(() => child.kill("SIGKILL"), 60_000);
    child.once("exit", (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

describe("sparkbot dev: the mode, from the environment", () => {
  it("runs on the emulator with neither a token nor WEBHOOK_URL, on Webex with both", () => {
    expect(chooseDevMode({})).toEqual({ kind: "emulator" });
    expect(chooseDevMode({ WEBEX_ACCESS_TOKEN: " ", WEBHOOK_URL: "" })).toEqual({
      kind: "emulator",
    });
    expect(
      chooseDevMode({ SPARK_ACCESS_TOKEN: "t", WEBHOOK_URL: "https://bot.example.com" }),
    ).toEqual({ kind: "webex", token: "t" });
  });

  it("refuses half of the pair, naming both ways out, instead of ignoring the token", () => {
    expect(() => chooseDevMode({ WEBEX_ACCESS_TOKEN: "t" })).toThrow(DevSetupError);
    expect(() => chooseDevMode({ WEBEX_ACCESS_TOKEN: "t" })).toThrow(
      /^WEBEX_ACCESS_TOKEN is set but WEBHOOK_URL is not\. .*set WEBHOOK_URL.*--emulator$/,
    );
    expect(() => chooseDevMode({ WEBHOOK_URL: "https://bot.example.com" })).toThrow(
      /^WEBHOOK_URL is set but WEBEX_ACCESS_TOKEN is not\./,
    );
  });

  it("--emulator runs on the emulator and says which variables it leaves unused", () => {
    expect(chooseDevMode({ WEBEX_ACCESS_TOKEN: "t" }, true)).toEqual({
      kind: "emulator",
      note: "--emulator: running on the local emulator; WEBEX_ACCESS_TOKEN from the environment is not used",
    });
    expect(chooseDevMode({}, true)).toEqual({ kind: "emulator", note: undefined });
  });

  it("makes a bot path absolute and checks it exists; passes a package name on", () => {
    const here = fileURLToPath(new URL(".", import.meta.url));
    expect(resolveBotModule("./dev-failures.test.ts", {}, here)).toBe(
      join(here, "dev-failures.test.ts"),
    );
    expect(resolveBotModule(undefined, { BOT_MODULE: "@me/bot" }, here)).toBe("@me/bot");
    expect(resolveBotModule(undefined, {}, here)).toBeUndefined();
    expect(() => resolveBotModule(undefined, { BOT_MODULE: "./nope.ts" }, here)).toThrow(
      `BOT_MODULE names ${join(here, "nope.ts")}, which does not exist`,
    );
  });
});

describe("sparkbot dev: failures, each in one line", () => {
  const prefix = uniquePrefix("devfail");
  let webex: RunningEmulator;
  let token: string;
  let dir: string;

  beforeAll(async () => {
    webex = await startEmulator({ port: 0 });
    token = (await setUpWorld(new EmulatorControl(webex.url))).bot.token;
    dir = mkdtempSync(join(tmpdir(), "sparkbot-devfail-"));
  });

  afterAll(async () => {
    await webex?.close();
    await deletePrefix(prefix);
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("tells a rejected token from an unreachable Webex", async () => {
    expect(await probeWebex(token, webex.apiUrl)).toEqual({ ok: true, displayName: "SparkBot" });
    expect(await probeWebex("not-a-token", webex.apiUrl)).toMatchObject({
      ok: false,
      subject: "WEBEX_ACCESS_TOKEN",
      message: expect.stringMatching(/rejected the token \(401\)/),
    });
    expect(await probeWebex(token, "http://127.0.0.1:9/v1")).toMatchObject({
      ok: false,
      subject: "WEBEX_API_URL",
      message: expect.stringMatching(
        /^cannot reach Webex at .*ECONNREFUSED.*the token was not checked$/,
      ),
    });
  });

  it("stops before starting anything on a token without WEBHOOK_URL, or a rejected token", async () => {
    const half = await dev([], { WEBEX_ACCESS_TOKEN: token }, dir);
    expect(half.code).toBe(1);
    expect(half.stderr).toMatch(
      /^sparkbot dev: WEBEX_ACCESS_TOKEN is set but WEBHOOK_URL is not\./,
    );
    expect(half.stdout).toBe("");

    const rejected = await dev(
      [],
      {
        WEBEX_ACCESS_TOKEN: "not-a-token",
        WEBEX_API_URL: webex.apiUrl,
        WEBHOOK_URL: "https://bot.example.com",
      },
      dir,
    );
    expect(rejected.code).toBe(1);
    expect(rejected.stderr).toBe(
      `sparkbot dev: WEBEX_ACCESS_TOKEN: Webex at ${webex.apiUrl} rejected the token (401): use the bot's access token from developer.webex.com (My Apps)\n`,
    );
  });

  it("names the worker, its exit and its last line when the bot fails to load", async () => {
    const bot = join(dir, "failing-bot.ts");
    writeFileSync(bot, 'throw new Error("boom while loading");\n');
    const ports = ["--emulator-port", "0", "--receiver-port", "0", "--worker-port", "0"];
    const session = ["--session", join(dir, "dev.json")];
    const env = { REDIS_URL: TEST_REDIS_URL, REDIS_PREFIX: prefix };
    const result = await dev([...ports, ...session, "--bot", bot], env, dir);
    expect(result.code).toBe(1);
    expect(result.stderr.split("\n")[0]).toBe(
      `sparkbot dev: start failed: worker exited (exit code 1): sparkbot worker: BOT_MODULE "${bot}" could not be loaded: boom while loading`,
    );
    expect(result.stderr).not.toContain("receiver exited");
    expect(result.stdout).toContain("sparkbot dev: stopped");
  }, 60_000);
});
