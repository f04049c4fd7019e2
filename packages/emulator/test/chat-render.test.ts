import { describe, expect, it } from "vitest";
import { messageSource, renderMarkdown, renderMessage } from "../src/chat/render-markdown.js";
import { toDeliveryView } from "../src/chat/views.js";

describe("chat page markdown", () => {
  it("renders bold, code, code blocks, lists and links", () => {
    expect(renderMarkdown("**pong**")).toBe("<p><strong>pong</strong></p>\n");
    const html = renderMarkdown("- `a`\n- b\n\n1. one\n\n```\nx < y\n```\n[docs](https://x.test)");
    expect(html).toContain("<ul>\n<li><code>a</code></li>\n<li>b</li>\n</ul>");
    expect(html).toContain("<ol>\n<li>one</li>\n</ol>");
    expect(html).toContain("<pre><code>x &lt; y\n</code></pre>");
    expect(html).toContain(
      '<a href="https://x.test" target="_blank" rel="noopener noreferrer">docs</a>',
    );
  });

  it("shows raw HTML from a message as text", () => {
    expect(renderMarkdown("<script>alert(1)</script>")).toBe(
      "&lt;script&gt;alert(1)&lt;/script&gt;",
    );
    const inline = renderMarkdown('hi <img src=x onerror="alert(1)"> <b>x</b>');
    expect(inline).not.toMatch(/<img|<b>/);
    expect(inline).toContain("&lt;img src=x onerror=&quot;alert(1)&quot;&gt;");
  });

  it("drops links that are not http(s) or mailto, keeping their text", () => {
    const html = renderMarkdown(
      "[a](javascript:alert(1)) [b](data:text/html,x) [c](mailto:c@x.test)",
    );
    expect(html).not.toContain("javascript:");
    expect(html).not.toContain("data:");
    expect(html).toContain("<p>a b ");
    expect(html).toContain('href="mailto:c@x.test"');
  });

  it("turns Webex mentions into chips, escaping their names", () => {
    expect(renderMarkdown("hey <@personId:abc|Bot <b>One</b>>")).not.toContain("<b>");
    expect(renderMarkdown("hey <@personId:abc|Sparky> and <@all>")).toBe(
      '<p>hey <span class="mention" data-person-id="abc">@Sparky</span> and ' +
        '<span class="mention">@all</span></p>\n',
    );
    expect(renderMarkdown("<@personEmail:a@b.test|Ann>")).toContain(
      'data-person-email="a@b.test">@Ann</span>',
    );
  });

  it("reads a person's mention back from the message html", () => {
    const message = {
      text: "Sparky ping <b>",
      html: '<p><spark-mention data-object-type="person" data-object-id="B1">Sparky</spark-mention> ping &lt;b&gt;</p>',
    };
    expect(messageSource(message)).toBe("<@personId:B1|Sparky> ping <b>");
    expect(renderMessage(message)).toBe(
      '<p><span class="mention" data-person-id="B1">@Sparky</span> ping &lt;b&gt;</p>\n',
    );
  });

  it("prefers markdown, then text", () => {
    expect(messageSource({ text: "plain", markdown: "**md**", html: "<p>md</p>" })).toBe("**md**");
    expect(messageSource({ text: "plain <i>" })).toBe("plain <i>");
    expect(messageSource({})).toBe("");
  });
});

describe("chat page delivery view", () => {
  it("reads the emulator's delivery record", () => {
    const view = toDeliveryView({
      id: "d1",
      webhookId: "w1",
      eventId: "e1",
      resource: "messages",
      event: "created",
      dataId: "m1",
      target: "http://bot.test/hook",
      status: 500,
      ok: false,
      latencyMs: 12.5,
      error: "boom",
      at: "2026-01-01T00:00:00.000Z",
      body: { id: "w1", data: { id: "m1", roomId: "r1" } },
    });
    expect(view).toMatchObject({
      target: "http://bot.test/hook",
      status: 500,
      ok: false,
      latencyMs: 12.5,
      messageId: "m1",
      roomId: "r1",
      error: "boom",
    });
  });

  it("tolerates other field names and a body recorded as JSON text", () => {
    const view = toDeliveryView({
      targetUrl: "http://bot.test/x",
      status: null,
      latency: 3,
      created: "2026-01-01T00:00:00.000Z",
      body: JSON.stringify({ resource: "messages", event: "created", data: { id: "m2" } }),
    });
    expect(view).toMatchObject({
      target: "http://bot.test/x",
      status: null,
      ok: false,
      latencyMs: 3,
      resource: "messages",
      messageId: "m2",
      roomId: null,
    });
  });
});
