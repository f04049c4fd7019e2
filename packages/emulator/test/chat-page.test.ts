import { existsSync, mkdirSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { chromium, type Browser, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { EmulatorControl, startEmulator, type RunningEmulator } from "../src/index.js";
import { SLOW_DELAY_MS, startTestBot, type TestBot } from "./chat-test-bot.js";

const CHROMIUM = "/usr/bin/chromium";
const SCREENSHOT = fileURLToPath(new URL("../../../docs/chat-page.png", import.meta.url));
const SECRET = "chat-page-secret";
const BOT_NAME = "Sparky";

describe.skipIf(!existsSync(CHROMIUM))("chat page in a real browser", () => {
  let emulator: RunningEmulator;
  let bot: TestBot;
  let browser: Browser;
  let page: Page;
  let groupRoomId: string;
  const dialogs: string[] = [];

  beforeAll(async () => {
    emulator = await startEmulator({ port: 0 });
    const control = new EmulatorControl(emulator.url);
    const alice = await control.createPerson({
      displayName: "Alice Author",
      email: "alice@example.com",
    });
    const sparky = await control.createPerson({
      displayName: BOT_NAME,
      email: "sparky@webex.bot",
      type: "bot",
    });
    const bob = await control.createPerson({
      displayName: "Bob Builder",
      email: "bob@example.com",
    });
    bot = await startTestBot({
      apiUrl: emulator.apiUrl,
      token: sparky.token,
      botId: sparky.id,
      botName: BOT_NAME,
      secret: SECRET,
    });
    const webhook = await fetch(`${emulator.apiUrl}/webhooks`, {
      method: "POST",
      headers: { authorization: `Bearer ${sparky.token}`, "content-type": "application/json" },
      body: JSON.stringify({
        name: "chat page test",
        targetUrl: bot.url,
        resource: "messages",
        event: "created",
        secret: SECRET,
      }),
    });
    expect(webhook.status).toBe(200);
    await control.createRoom({ title: BOT_NAME, type: "direct", members: [alice.id, sparky.id] });
    await control.createRoom({
      title: "Bob and Sparky",
      type: "direct",
      members: [bob.id, sparky.id],
    });
    const group = await control.createRoom({
      title: "Release planning",
      type: "group",
      members: [alice.id, bob.id, sparky.id],
    });
    groupRoomId = group.id;

    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"],
    });
    page = await browser.newPage({ viewport: { width: 1360, height: 900 } });
    page.on("dialog", (dialog) => {
      dialogs.push(dialog.message());
      void dialog.dismiss();
    });
    await page.goto(`${emulator.url}/chat`);
    await page.locator('#connection[data-state="live"]').waitFor({ timeout: 10_000 });
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await bot?.close();
    await emulator?.close();
  });

  async function send(text: string): Promise<void> {
    await page.locator("#text").fill(text);
    await page.locator("#text").press("Enter");
  }

  const botMessages = () => page.locator("#messages .message-bot .message-body");

  it("shows who you are and the rooms, the direct room first", async () => {
    await expect(page.locator("#identity option:checked").textContent()).resolves.toContain(
      "Alice",
    );
    const rooms = page.locator("#rooms .room-title");
    await expect(rooms.allTextContents()).resolves.toEqual([BOT_NAME, "Release planning"]);
    await expect(page.locator("#room-title").textContent()).resolves.toBe(BOT_NAME);
    await expect(page.locator("#room-meta").textContent()).resolves.toBe(
      `Direct room · Alice Author, ${BOT_NAME}`,
    );
  });

  it("switches who you are: another person sees their own rooms", async () => {
    await page.locator("#identity").selectOption({ label: "Bob Builder" });
    const rooms = page.locator("#rooms .room-title");
    await expect(rooms.allTextContents()).resolves.toEqual([BOT_NAME, "Release planning"]);
    await expect(page.locator("#room-meta").textContent()).resolves.toBe(
      `Direct room · Bob Builder, ${BOT_NAME}`,
    );
    await page.locator("#identity").selectOption({ label: "Alice Author" });
    await expect(page.locator("#room-meta").textContent()).resolves.toContain("Alice Author");
  });

  it("sends ping and shows pong rendered bold", async () => {
    await send("ping");
    await page.locator("#messages .message-mine", { hasText: "ping" }).waitFor({ timeout: 5_000 });
    const pong = botMessages().locator("strong", { hasText: "pong" });
    await pong.waitFor({ timeout: 10_000 });
    expect(await pong.evaluate((node) => node.tagName)).toBe("STRONG");
  });

  it("shows the slow command's interim reply live, before the final one", async () => {
    await send("slow");
    await botMessages().filter({ hasText: "working on it" }).waitFor({ timeout: 10_000 });
    const doneBold = botMessages().locator("strong", { hasText: "done" });
    expect(await doneBold.count()).toBe(0); // the final reply is still 1.5 s away
    await doneBold.waitFor({ timeout: SLOW_DELAY_MS + 10_000 });
    const texts = (await botMessages().allTextContents()).map((t) => t.trim());
    expect(texts).toContain("working on it");
    expect(texts.indexOf("working on it")).toBeLessThan(texts.indexOf("done"));
  });

  it("shows a reply with <script> as text and runs nothing", async () => {
    await send("echo <script>alert(1)</script> <img src=x onerror=alert(2)>");
    const echoed = botMessages().filter({ hasText: "<script>alert(1)</script>" });
    await echoed.waitFor({ timeout: 10_000 });
    await expect(echoed.textContent()).resolves.toContain("<img src=x onerror=alert(2)>");
    expect(await page.locator("#messages script, #messages img").count()).toBe(0);
    expect(dialogs).toEqual([]);
  });

  it("renders lists, code, code blocks and links", async () => {
    await send("help");
    const help = botMessages().filter({ hasText: "Commands" });
    await help.waitFor({ timeout: 10_000 });
    expect(await help.locator("ul > li").count()).toBe(3);
    expect(await help.locator("li code").first().textContent()).toBe("ping");
    expect(await help.locator("pre code").textContent()).toContain("curl -X POST");
    const link = help.locator("a", { hasText: "SparkBot docs" });
    expect(await link.getAttribute("href")).toBe("https://github.com/sparkbot");
    expect(await link.getAttribute("rel")).toContain("noopener");
  });

  it("lists each delivery with target, HTTP status, latency and the raw webhook JSON", async () => {
    const lastMine = page.locator("#messages .message-mine").last();
    const messageId = await lastMine.getAttribute("data-message-id");
    await lastMine.hover();
    await lastMine.locator(".log-link").click();
    const delivery = page.locator(
      `#deliveries .delivery-highlighted[data-message-id="${messageId}"]`,
    );
    await delivery.waitFor({ timeout: 10_000 });
    expect(await delivery.count()).toBe(1);
    await expect(delivery.locator(".status-pill").textContent()).resolves.toBe("200");
    await expect(delivery.locator(".delivery-target").textContent()).resolves.toBe(
      `POST ${bot.url}`,
    );
    await expect(delivery.locator(".delivery-latency").textContent()).resolves.toMatch(/^\d+ ms$/);
    await delivery.locator("summary").click();
    const json = JSON.parse((await delivery.locator("pre").textContent()) ?? "{}") as {
      resource: string;
      data: { id: string };
    };
    expect(json.resource).toBe("messages");
    expect(json.data.id).toBe(messageId);
    expect(bot.badSignatures).toBe(0);
  });

  it("mentions the bot in a group room and gets its answer", async () => {
    await page.locator("#rooms .room", { hasText: "Release planning" }).click();
    await expect(page.locator("#room-title").textContent()).resolves.toBe("Release planning");
    const toggle = page.locator("#mention-options .mention-toggle");
    await expect(toggle.textContent()).resolves.toBe(`@${BOT_NAME}`);
    await expect(toggle.getAttribute("aria-pressed")).resolves.toBe("true");
    await send("ping");
    const mine = page.locator("#messages .message-mine").last();
    await mine.locator(".mention").waitFor({ timeout: 5_000 });
    await expect(mine.locator(".mention").textContent()).resolves.toBe(`@${BOT_NAME}`);
    await botMessages().locator("strong", { hasText: "pong" }).waitFor({ timeout: 10_000 });
    const messages = await new EmulatorControl(emulator.url).roomMessages(groupRoomId);
    expect(messages[0]?.mentionedPeople?.length).toBe(1);
  });

  it("lists a room created while the page is open, live", async () => {
    const control = new EmulatorControl(emulator.url);
    const people = await fetch(`${emulator.url}/_emulator/people`);
    const { items } = (await people.json()) as { items: { id: string; displayName: string }[] };
    const members = items.filter((p) => p.displayName !== "Bob Builder").map((p) => p.id);
    await control.createRoom({ title: "Incidents", type: "group", members });
    await page.locator("#rooms .room-title", { hasText: "Incidents" }).waitFor({ timeout: 5_000 });
  });

  it("saves a screenshot for the README", async () => {
    await page.locator("#rooms .room", { hasText: BOT_NAME }).click();
    await botMessages().filter({ hasText: "Commands" }).waitFor({ timeout: 5_000 });
    const help = page.locator("#deliveries .delivery", { hasText: "Alice Author: “help”" });
    if (!(await help.locator("details").evaluate((node) => node.hasAttribute("open")))) {
      await help.locator("summary").click();
    }
    mkdirSync(fileURLToPath(new URL("../../../docs/", import.meta.url)), { recursive: true });
    await page.screenshot({ path: SCREENSHOT });
    expect(existsSync(SCREENSHOT)).toBe(true);
  });
});
