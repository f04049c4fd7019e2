// The chat page in a real browser against the whole system (emulator, receiver, worker, a
// SparkBot bot): a card rendered by the adaptivecards package under the page's strict CSP, its
// inputs filled and submitted as the user, the bot's answer shown; the bot added to a room from
// the page, its greeting shown; the webhook log listing these events. Each test opens its own
// page and sets up what it checks, so any one runs alone (`-t`).
import { chromium, type Browser, type Page } from "playwright-core";
import { afterAll, afterEach, beforeAll, beforeEach, expect, it } from "vitest";
import { waitFor } from "@sparkbot/testkit";
import { bot as cardsBot } from "./fixtures/cards-bot.js";
import { startStack, type Stack } from "./helpers/stack.js";
import { needs } from "../../../test-support/system-tools.js";

const browserTools = needs("chromium");

browserTools.describe("cards and members on the chat page, in a real browser", () => {
  let stack: Stack;
  let browser: Browser;
  let page: Page;
  // Errors and CSP violations the page reported during the current test.
  let problems: string[] = [];
  let votes = 0;

  beforeAll(async () => {
    stack = await startStack("chat-cards");
    await stack.startWorker({ bot: cardsBot });
    browser = await chromium.launch({
      executablePath: browserTools.path("chromium"),
      args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"],
    });
  }, 60_000);

  beforeEach(async () => {
    problems = [];
    page = await browser.newPage({ viewport: { width: 1360, height: 900 } });
    page.on("console", (message) => {
      if (message.type() === "error" && !message.text().includes("404"))
        problems.push(message.text());
    });
    page.on("pageerror", (error) => problems.push(error.message));
    await page.goto(`${stack.emulator.url}/chat`);
    await page.locator('#connection[data-state="live"]').waitFor({ timeout: 15_000 });
  }, 30_000);

  afterEach(async () => {
    await page?.close();
  });

  afterAll(async () => {
    await browser?.close();
    await stack?.close();
  });

  const botMessages = () => page.locator("#messages .message-bot");

  /** Writes "poll" and returns the new card the bot answers with. */
  async function askForPoll() {
    const cards = botMessages().locator(".card .ac-adaptiveCard");
    const before = await cards.count();
    await page.locator("#text").fill("poll");
    await page.locator("#text").press("Enter");
    const card = cards.nth(before);
    await card.waitFor({ timeout: 15_000 });
    return card;
  }

  /** Asks for a poll and votes sushi on it with a comment of its own; returns the comment. */
  async function voteSushi(): Promise<string> {
    votes += 1;
    const comment = `Fresh, please (${votes})`;
    const card = await askForPoll();
    await card.locator("select").selectOption("sushi");
    await card.locator("input.ac-textInput").fill(comment);
    await card.locator(".ac-pushButton", { hasText: "Vote" }).click();
    return comment;
  }

  it("renders the bot's card with the Adaptive Cards renderer, its inputs working, under the page's CSP", async () => {
    const card = await askForPoll();
    await expect(card.locator(".ac-textBlock", { hasText: "Lunch?" }).count()).resolves.toBe(1);
    // The fallback text is for clients without cards: not shown beside the card.
    await expect(botMessages().filter({ hasText: "A lunch poll" }).count()).resolves.toBe(0);
    await card.locator("select").selectOption("sushi");
    await card.locator("input.ac-textInput").fill("Fresh, please");
    await expect(card.locator("input.ac-textInput").inputValue()).resolves.toBe("Fresh, please");
    expect(problems).toEqual([]);
  });

  it("submits the card as the user and shows the bot's answer", async () => {
    const thanks = botMessages().filter({ hasText: "Thanks for voting!" });
    const thanked = await thanks.count();
    const submitted = page.locator(".card-status", { hasText: "Submitted" });
    const wasSubmitted = await submitted.count();
    const comment = await voteSushi();
    await thanks.nth(thanked).waitFor({ timeout: 15_000 });
    // The answer's own card shows too.
    const answer = botMessages().locator(".ac-factset").nth(thanked);
    await answer.waitFor({ timeout: 15_000 });
    await expect(answer.textContent()).resolves.toContain("sushi");
    const voted = await waitFor(async () => {
      const messages = await stack.control.roomMessages(stack.room.id);
      return messages.find((m) => m.markdown === `Ada voted sushi — “${comment}”`) ?? false;
    });
    expect(voted.personId).toBe(stack.botPerson.id);
    const actions = (await stack.control.deliveries()).filter(
      (d) => d.resource === "attachmentActions",
    );
    expect(actions.length).toBeGreaterThan(0);
    for (const action of actions) {
      expect((action.body as { actorId: string }).actorId).toBe(stack.user.id);
    }
    await waitFor(async () => (await submitted.count()) === wasSubmitted + 1);
    expect(problems).toEqual([]);
  });

  it("lists the card submission in the webhook log", async () => {
    const entries = page.locator("#deliveries .delivery", {
      hasText: "attachmentActions:created",
    });
    const before = await entries.count();
    await voteSushi();
    await waitFor(async () => (await entries.count()) > before, {
      timeoutMs: 15_000,
      what: "a new attachmentActions delivery in the log",
    });
    const entry = entries.first();
    await expect(entry.locator(".delivery-subject").textContent()).resolves.toBe(
      "Ada submitted a card",
    );
    await expect(entry.locator(".status-pill").textContent()).resolves.toBe("202");
    expect(problems).toEqual([]);
  });

  it("adds the bot to a group room from the page: the change and the bot's greeting show", async () => {
    await stack.control.createRoom({
      title: "Team added",
      type: "group",
      members: [stack.user.id],
    });
    await page.locator("#rooms .room", { hasText: "Team added" }).click();
    await page.locator("#members .member-candidates").waitFor({ timeout: 10_000 });
    await page.locator("#members .member-candidates").selectOption({ label: "Test Bot (bot)" });
    await page.locator("#members .member-add button").click();
    await page
      .locator("#messages .change", { hasText: "Ada added Test Bot" })
      .waitFor({ timeout: 10_000 });
    await botMessages()
      .filter({ hasText: "Hello! Ada added me here." })
      .waitFor({ timeout: 15_000 });
    await page.locator("#members .member", { hasText: "Test Bot" }).waitFor({ timeout: 15_000 });
    const log = page.locator("#deliveries .delivery", { hasText: "memberships:created" });
    await log.first().waitFor({ timeout: 10_000 });
    await expect(log.first().locator(".delivery-subject").textContent()).resolves.toBe(
      "Test Bot joined (by Ada)",
    );
    expect(problems).toEqual([]);
  });

  it("removes the bot from the page", async () => {
    const room = await stack.control.createRoom({
      title: "Team removed",
      type: "group",
      members: [stack.user.id],
    });
    await stack.control.addMember({ roomId: room.id, personId: stack.botPerson.id });
    await page.locator("#rooms .room", { hasText: "Team removed" }).click();
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
    expect(problems).toEqual([]);
  });
});
