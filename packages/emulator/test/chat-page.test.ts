// The chat page in a real browser: the emulator, a small bot answering by webhook
// (chat-test-bot.ts) and Chromium. Each test opens its own page and sends what it checks, so
// any one runs alone (`-t`). The README's screenshot is made by `npm run docs:screenshot`.
import { chromium, type Browser, type Page } from "playwright-core";
import { afterAll, afterEach, beforeAll, beforeEach, expect, it } from "vitest";
import { EmulatorControl, startEmulator, type RunningEmulator } from "../src/index.js";
import { startTestBot, type TestBot } from "./chat-test-bot.js";
import { needs } from "../../../test-support/system-tools.js";

const browserTools = needs("chromium");
const SECRET = "chat-page-secret";
const BOT_NAME = "Sparky";

browserTools.describe("chat page in a real browser", () => {
  let emulator: RunningEmulator;
  let bot: TestBot;
  let browser: Browser;
  let page: Page;
  let groupRoomId: string;
  let aliceId: string;
  let dialogs: string[] = [];

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
    aliceId = alice.id;
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
      executablePath: browserTools.path("chromium"),
      args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"],
    });
  }, 60_000);

  beforeEach(async () => {
    dialogs = [];
    page = await browser.newPage({ viewport: { width: 1360, height: 900 } });
    page.on("dialog", (dialog) => {
      dialogs.push(dialog.message());
      void dialog.dismiss();
    });
    await page.goto(`${emulator.url}/chat`);
    await page.locator('#connection[data-state="live"]').waitFor({ timeout: 10_000 });
  }, 30_000);

  afterEach(async () => {
    await page?.close();
  });

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

  /** Sends `text` and returns the first bot message after it that contains `reply`. */
  async function ask(text: string, reply: string | RegExp) {
    const answers = botMessages().filter({ hasText: reply });
    const before = await answers.count();
    await send(text);
    const answer = answers.nth(before);
    await answer.waitFor({ timeout: 15_000 });
    return answer;
  }

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
    const mine = page.locator("#messages .message-mine", { hasText: "ping" });
    const sent = await mine.count();
    const answer = await ask("ping", "pong");
    await mine.nth(sent).waitFor({ timeout: 15_000 });
    expect(
      await answer.locator("strong", { hasText: "pong" }).evaluate((node) => node.tagName),
    ).toBe("STRONG");
  });

  it("shows the slow command's interim reply live, before the final one", async () => {
    const interim = botMessages().filter({ hasText: "working on it" });
    const final = botMessages().locator("strong", { hasText: "done" });
    const [interimBefore, finalBefore] = [await interim.count(), await final.count()];
    await send("slow");
    // The bot sends its final reply only when told to: until then the page shows the interim
    // one alone.
    await interim.nth(interimBefore).waitFor({ timeout: 15_000 });
    expect(await final.count()).toBe(finalBefore);
    bot.finishSlow();
    await final.nth(finalBefore).waitFor({ timeout: 15_000 });
    const texts = (await botMessages().allTextContents()).map((t) => t.trim());
    expect(texts.lastIndexOf("working on it")).toBeLessThan(texts.lastIndexOf("done"));
  });

  it("shows a reply with <script> as text and runs nothing", async () => {
    const echoed = await ask(
      "echo <script>alert(1)</script> <img src=x onerror=alert(2)>",
      "<script>alert(1)</script>",
    );
    await expect(echoed.textContent()).resolves.toContain("<img src=x onerror=alert(2)>");
    expect(await page.locator("#messages script, #messages img").count()).toBe(0);
    expect(dialogs).toEqual([]);
  });

  it("renders lists, code, code blocks and links", async () => {
    const help = await ask("help", "Commands");
    expect(await help.locator("ul > li").count()).toBe(3);
    expect(await help.locator("li code").first().textContent()).toBe("ping");
    expect(await help.locator("pre code").textContent()).toContain("curl -X POST");
    const link = help.locator("a", { hasText: "SparkBot docs" });
    expect(await link.getAttribute("href")).toBe("https://github.com/sparkbot");
    expect(await link.getAttribute("rel")).toContain("noopener");
  });

  it("lists each delivery with target, HTTP status, latency and the raw webhook JSON", async () => {
    await ask("echo delivery log", "delivery log");
    const lastMine = page
      .locator("#messages .message-mine", { hasText: "echo delivery log" })
      .last();
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
    await ask("ping", "pong");
    const mine = page.locator("#messages .message-mine").last();
    await mine.locator(".mention").waitFor({ timeout: 15_000 });
    await expect(mine.locator(".mention").textContent()).resolves.toBe(`@${BOT_NAME}`);
    const messages = await new EmulatorControl(emulator.url).roomMessages(groupRoomId);
    const sent = messages.find((m) => m.personId === aliceId && (m.text ?? "").endsWith("ping"));
    expect(sent?.mentionedPeople?.length).toBe(1);
  });

  it("lists a room created while the page is open, live", async () => {
    const control = new EmulatorControl(emulator.url);
    const people = await fetch(`${emulator.url}/_emulator/people`);
    const { items } = (await people.json()) as { items: { id: string; displayName: string }[] };
    const members = items.filter((p) => p.displayName !== "Bob Builder").map((p) => p.id);
    await control.createRoom({ title: "Incidents", type: "group", members });
    await page.locator("#rooms .room-title", { hasText: "Incidents" }).waitFor({ timeout: 15_000 });
  });
});
