// The chat page in a real browser against the whole system (emulator, receiver, worker, a
// SparkBot bot): a card rendered by the adaptivecards package under the page's strict CSP, its
// inputs filled and submitted as the user, the bot's answer shown; the bot added to a room from
// the page, its greeting shown; the webhook log listing these events.
import { existsSync } from "node:fs";
import { chromium, type Browser, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { bot as cardsBot } from "./fixtures/cards-bot.js";
import { startStack, type Stack } from "./helpers/stack.js";

const CHROMIUM = "/usr/bin/chromium";

describe.skipIf(!existsSync(CHROMIUM))(
  "cards and members on the chat page, in a real browser",
  () => {
    let stack: Stack;
    let browser: Browser;
    let page: Page;
    const problems: string[] = [];

    beforeAll(async () => {
      stack = await startStack("chat-cards");
      await stack.startWorker({ bot: cardsBot });
      browser = await chromium.launch({
        executablePath: CHROMIUM,
        args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"],
      });
      page = await browser.newPage({ viewport: { width: 1360, height: 900 } });
      page.on("console", (message) => {
        if (message.type() === "error" && !message.text().includes("404"))
          problems.push(message.text());
      });
      page.on("pageerror", (error) => problems.push(error.message));
      await page.goto(`${stack.emulator.url}/chat`);
      await page.locator('#connection[data-state="live"]').waitFor({ timeout: 15_000 });
    }, 60_000);

    afterAll(async () => {
      await browser?.close();
      await stack?.close();
    });

    const botMessages = () => page.locator("#messages .message-bot");

    it("renders the bot's card with the Adaptive Cards renderer, its inputs working", async () => {
      await page.locator("#text").fill("poll");
      await page.locator("#text").press("Enter");
      const card = botMessages().locator(".card .ac-adaptiveCard");
      await card.waitFor({ timeout: 15_000 });
      await expect(card.locator(".ac-textBlock", { hasText: "Lunch?" }).count()).resolves.toBe(1);
      // The fallback text is for clients without cards: not shown beside the card.
      await expect(botMessages().filter({ hasText: "A lunch poll" }).count()).resolves.toBe(0);
      await card.locator("select").selectOption("sushi");
      await card.locator("input.ac-textInput").fill("Fresh, please");
      await expect(card.locator("input.ac-textInput").inputValue()).resolves.toBe("Fresh, please");
    });

    it("submits the card as the user and shows the bot's answer", async () => {
      await botMessages().locator(".ac-pushButton", { hasText: "Vote" }).click();
      await botMessages().filter({ hasText: "Thanks for voting!" }).waitFor({ timeout: 15_000 });
      // The answer's own card shows too.
      const answer = botMessages().locator(".ac-factset");
      await answer.waitFor({ timeout: 5_000 });
      await expect(answer.textContent()).resolves.toContain("sushi");
      const [action] = (await stack.control.deliveries()).filter(
        (d) => d.resource === "attachmentActions",
      );
      const messages = await stack.control.roomMessages(stack.room.id);
      const voted = messages.find((m) => (m.markdown ?? "").startsWith("Ada voted"));
      expect(voted?.markdown).toBe("Ada voted sushi — “Fresh, please”");
      expect((action?.body as { actorId: string }).actorId).toBe(stack.user.id);
      await expect(page.locator(".card-status", { hasText: "Submitted" }).count()).resolves.toBe(1);
    });

    it("lists the card submission in the webhook log", async () => {
      const entry = page.locator("#deliveries .delivery", { hasText: "attachmentActions:created" });
      await entry.waitFor({ timeout: 10_000 });
      await expect(entry.locator(".delivery-subject").textContent()).resolves.toBe(
        "Ada submitted a card",
      );
      await expect(entry.locator(".status-pill").textContent()).resolves.toBe("202");
    });

    it("adds the bot to a group room from the page: the change and the bot's greeting show", async () => {
      await stack.control.createRoom({ title: "Team", type: "group", members: [stack.user.id] });
      await page.locator("#rooms .room", { hasText: "Team" }).click();
      await page.locator("#members .member-candidates").waitFor({ timeout: 10_000 });
      await page.locator("#members .member-candidates").selectOption({ label: "Test Bot (bot)" });
      await page.locator("#members .member-add button").click();
      await page
        .locator("#messages .change", { hasText: "Ada added Test Bot" })
        .waitFor({ timeout: 10_000 });
      await botMessages()
        .filter({ hasText: "Hello! Ada added me here." })
        .waitFor({ timeout: 15_000 });
      await page.locator("#members .member", { hasText: "Test Bot" }).waitFor({ timeout: 5_000 });
      const log = page.locator("#deliveries .delivery", { hasText: "memberships:created" });
      await log.first().waitFor({ timeout: 10_000 });
      await expect(log.first().locator(".delivery-subject").textContent()).resolves.toBe(
        "Test Bot joined (by Ada)",
      );
    });

    it("removes the bot from the page", async () => {
      await page
        .locator("#members .member", { hasText: "Test Bot" })
        .locator(".member-remove")
        .click();
      await page
        .locator("#messages .change", { hasText: "Ada removed Test Bot" })
        .waitFor({ timeout: 10_000 });
      await page
        .locator("#deliveries .delivery", { hasText: "memberships:deleted" })
        .first()
        .waitFor({ timeout: 10_000 });
    });

    it("ran under the page's Content-Security-Policy without a violation or an error", () => {
      expect(problems).toEqual([]);
    });
  },
);
