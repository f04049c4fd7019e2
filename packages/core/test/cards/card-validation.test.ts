import { describe, expect, it } from "vitest";
import {
  ADAPTIVE_CARD_CONTENT_TYPE,
  MAX_CARD_BYTES,
  ReplyError,
  adaptiveCard,
  choiceSetInput,
  showCardAction,
  submitAction,
  textBlock,
  textInput,
  validateAttachments,
  validateCard,
} from "../../src/index.js";

const card = (extra: Record<string, unknown> = {}) => ({
  type: "AdaptiveCard",
  version: "1.3",
  body: [{ type: "TextBlock", text: "hi" }],
  ...extra,
});

function errorOf(run: () => unknown): ReplyError {
  try {
    run();
  } catch (error) {
    if (error instanceof ReplyError) return error;
    throw error;
  }
  throw new Error("expected a ReplyError");
}

describe("validateCard", () => {
  it("takes a plain 1.0-1.3 card as it is", () => {
    for (const version of ["1.0", "1.1", "1.2", "1.3"]) {
      const content = card({ version });
      expect(validateCard(content)).toBe(content);
    }
  });

  it("asks for a version, naming Webex's own error", () => {
    const { version: _version, ...noVersion } = card();
    expect(errorOf(() => validateCard(noVersion)).message).toContain(
      "Missing Adaptive Card Version",
    );
  });

  it("refuses versions Webex does not render, and what is not a card", () => {
    expect(errorOf(() => validateCard(card({ version: "1.5" }))).message).toContain("1.0 to 1.3");
    expect(errorOf(() => validateCard(card({ version: 1.3 }))).message).toContain("1.0 to 1.3");
    expect(errorOf(() => validateCard({ ...card(), type: "HeroCard" })).message).toContain(
      '"type" must be "AdaptiveCard"',
    );
    expect(errorOf(() => validateCard("card")).message).toContain("got string");
    expect(errorOf(() => validateCard(card({ body: {} }))).message).toContain(
      '"body" must be a list',
    );
  });

  it("allows five buttons at the foot, not six", () => {
    const buttons = (n: number) => Array.from({ length: n }, (_, i) => submitAction(`b${i}`));
    expect(() => validateCard(card({ actions: buttons(5) }))).not.toThrow();
    expect(errorOf(() => validateCard(card({ actions: buttons(6) }))).message).toContain(
      "at most 5 actions",
    );
  });

  it("refuses Action.Execute anywhere, inputs without or with a shared id, data that is not an object", () => {
    const nested = card({ body: [{ type: "ActionSet", actions: [{ type: "Action.Execute" }] }] });
    expect(errorOf(() => validateCard(nested)).message).toContain("Action.Execute");
    const noId = card({ body: [{ type: "Input.Text" }] });
    expect(errorOf(() => validateCard(noId)).message).toContain('needs an "id"');
    const twice = card({
      body: [textInput("name")],
      actions: [showCardAction("More", { type: "AdaptiveCard", body: [textInput("name")] })],
    });
    expect(errorOf(() => validateCard(twice)).message).toContain('"name"');
    const stringData = card({ actions: [{ type: "Action.Submit", data: "vote" }] });
    expect(errorOf(() => validateCard(stringData)).message).toContain('"data" must be an object');
  });

  it("lets a fallback element reuse its input's id", () => {
    const input = { ...textInput("when"), fallback: { type: "Input.Text", id: "when" } };
    expect(() => validateCard(card({ body: [input] }))).not.toThrow();
  });

  it("refuses a card over the size limit, saying how big it is", () => {
    const big = card({ body: [textBlock("x".repeat(MAX_CARD_BYTES))] });
    expect(errorOf(() => validateCard(big)).message).toMatch(/This card is \d+ bytes/);
  });
});

describe("validateAttachments", () => {
  const attachment = { contentType: ADAPTIVE_CARD_CONTENT_TYPE, content: card() };

  it("takes exactly one Adaptive Card attachment", () => {
    expect(validateAttachments([attachment])).toEqual([attachment]);
    expect(errorOf(() => validateAttachments([attachment, attachment])).message).toContain(
      "one card per message",
    );
    expect(errorOf(() => validateAttachments([])).message).toContain("one card per message");
    expect(errorOf(() => validateAttachments(attachment)).message).toContain("must be a list");
  });

  it("names the content type Webex takes", () => {
    const wrong = { contentType: "application/json", content: card() };
    expect(errorOf(() => validateAttachments([wrong])).message).toContain(
      ADAPTIVE_CARD_CONTENT_TYPE,
    );
  });
});

describe("the card helpers", () => {
  it("build the JSON Webex takes, checked where the card is built", () => {
    const built = adaptiveCard({
      body: [
        textBlock("How was it?", { weight: "Bolder" }),
        choiceSetInput("rating", ["1", { title: "Two", value: "2" }]),
      ],
      actions: [submitAction("Send", { action: "feedback" })],
    });
    expect(built).toMatchObject({
      type: "AdaptiveCard",
      version: "1.3",
      body: [
        { type: "TextBlock", text: "How was it?", weight: "Bolder", wrap: true },
        {
          type: "Input.ChoiceSet",
          id: "rating",
          choices: [
            { title: "1", value: "1" },
            { title: "Two", value: "2" },
          ],
        },
      ],
      actions: [{ type: "Action.Submit", title: "Send", data: { action: "feedback" } }],
    });
    expect(() => adaptiveCard({ body: [textInput("a"), textInput("a")] })).toThrow(ReplyError);
  });
});
