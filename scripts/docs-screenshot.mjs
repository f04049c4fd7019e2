#!/usr/bin/env node
// `npm run docs:screenshot`: makes docs/chat-page.png, the README's picture of the chat page,
// from what `npm run dev` shows: starts `sparkbot dev` (emulator, receiver, worker, the example
// bot) on free ports, opens its chat page in Chromium, asks `help` and `ping`, opens the help
// delivery in the webhook log, saves the screenshot and stops everything. A build step, not a
// test: run it after a change to the chat page or the example bot, and commit the picture.
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";
import { toolStatus } from "./system-tools.mjs";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const output = join(root, "docs", "chat-page.png");
const log = (line) => process.stderr.write(`[docs:screenshot] ${line}\n`);

const browser = toolStatus("chromium");
if (!browser.available) {
  log(browser.line);
  process.exit(1);
}

async function until(what, check, timeoutMs = 120_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

const dir = mkdtempSync(join(tmpdir(), "sparkbot-screenshot-"));
const sessionPath = join(dir, "dev.json");
const ports = ["--emulator-port", "0", "--receiver-port", "0", "--worker-port", "0"];
log("starting sparkbot dev");
const dev = spawn(
  process.execPath,
  [join(root, "packages/cli/dist/bin.js"), "dev", "--session", sessionPath, ...ports],
  {
    cwd: root,
    detached: true,
    stdio: ["ignore", "pipe", "pipe"],
    env: {
      ...process.env,
      REDIS_PREFIX: `sparkbot-screenshot-${process.pid}`,
      WEBEX_ACCESS_TOKEN: "",
      SPARK_ACCESS_TOKEN: "",
      WEBHOOK_URL: "",
    },
  },
);
let devOutput = "";
dev.stdout.on("data", (chunk) => (devOutput += chunk.toString()));
dev.stderr.on("data", (chunk) => (devOutput += chunk.toString()));
const exited = new Promise((resolve) => dev.once("exit", resolve));

let chromiumBrowser;
try {
  await until("sparkbot dev to be ready", () => {
    if (dev.exitCode !== null) throw new Error(`sparkbot dev exited:\n${devOutput}`);
    return devOutput.includes("SparkBot is ready.") && existsSync(sessionPath);
  });
  const session = JSON.parse(readFileSync(sessionPath, "utf8"));
  chromiumBrowser = await chromium.launch({
    executablePath: browser.paths["chromium"],
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"],
  });
  const page = await chromiumBrowser.newPage({ viewport: { width: 1360, height: 900 } });
  await page.goto(session.emulator.chatUrl);
  await page.locator('#connection[data-state="live"]').waitFor({ timeout: 30_000 });
  const botMessages = page.locator("#messages .message-bot .message-body");
  for (const [text, reply] of [
    ["help", "help [command]"],
    ["ping", "pong"],
  ]) {
    log(`asking ${text}`);
    await page.locator("#text").fill(text);
    await page.locator("#text").press("Enter");
    await botMessages.filter({ hasText: reply }).first().waitFor({ timeout: 60_000 });
  }
  const help = page.locator("#deliveries .delivery", { hasText: "“help”" }).first();
  await help.waitFor({ timeout: 30_000 });
  if (!(await help.locator("details").evaluate((node) => node.hasAttribute("open")))) {
    await help.locator("summary").click();
  }
  await page.screenshot({ path: output });
  log(`saved ${output}`);
} finally {
  await chromiumBrowser?.close();
  if (dev.exitCode === null && dev.pid !== undefined) process.kill(-dev.pid, "SIGINT");
  await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 30_000))]);
  rmSync(dir, { recursive: true, force: true });
}
