import { request } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { waitFor } from "@sparkbot/testkit";
import { EmulatorControl, startEmulator, type RunningEmulator } from "../src/index.js";

/** Opens `/chat/events` and collects its raw text until `close()`. */
function openStream(url: string): Promise<{ text: () => string; close: () => void }> {
  return new Promise((resolve, reject) => {
    const req = request(`${url}/chat/events`, (res) => {
      let text = "";
      res.setEncoding("utf8");
      res.on("data", (chunk: string) => (text += chunk));
      res.on("error", () => undefined);
      expect(res.headers["content-type"]).toContain("text/event-stream");
      resolve({ text: () => text, close: () => req.destroy() });
    });
    req.on("error", reject);
    req.end();
  });
}

describe("chat page HTTP routes", () => {
  let emulator: RunningEmulator;
  let control: EmulatorControl;
  let aliceId: string;
  let roomId: string;

  beforeAll(async () => {
    emulator = await startEmulator({ port: 0 });
    control = new EmulatorControl(emulator.url);
    const alice = await control.createPerson({ displayName: "Alice", email: "alice@example.com" });
    const bot = await control.createPerson({
      displayName: "Bot",
      email: "b@webex.bot",
      type: "bot",
    });
    aliceId = alice.id;
    roomId = (
      await control.createRoom({ title: "Bot", type: "direct", members: [alice.id, bot.id] })
    ).id;
  });

  afterAll(async () => {
    await emulator?.close();
  });

  it("serves the page and its assets with a strict content security policy", async () => {
    const page = await fetch(`${emulator.url}/chat`);
    expect(page.status).toBe(200);
    expect(page.headers.get("content-type")).toContain("text/html");
    expect(page.headers.get("content-security-policy")).toContain("script-src 'self'");
    expect(await page.text()).toContain('<script type="module" src="/chat/assets/app.js">');
    for (const asset of [
      "app.js",
      "state.js",
      "view.js",
      "style.css",
      "conversation.css",
      "log.css",
      "icon.svg",
    ]) {
      const response = await fetch(`${emulator.url}/chat/assets/${asset}`);
      expect(response.status, asset).toBe(200);
      await response.arrayBuffer();
    }
  });

  it("answers 404 for unknown assets and paths outside the page", async () => {
    for (const path of ["/chat/assets/nope.js", "/chat/assets/..%2f..%2fpackage.json", "/chatx"]) {
      const response = await fetch(`${emulator.url}${path}`);
      expect(response.status, path).toBe(404);
      await response.arrayBuffer();
    }
  });

  it("lists people and rooms with their members", async () => {
    const state = (await (await fetch(`${emulator.url}/chat/api/state`)).json()) as {
      people: { id: string; type?: string }[];
      rooms: { id: string; members: string[] }[];
    };
    expect(state.people.map((p) => p.type)).toEqual(["person", "bot"]);
    expect(state.rooms).toHaveLength(1);
    expect(state.rooms[0]?.members).toContain(aliceId);
  });

  it("posts as a person and streams the message, rendered and escaped, live", async () => {
    const stream = await openStream(emulator.url);
    try {
      const posted = await fetch(`${emulator.url}/chat/api/messages`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ personId: aliceId, roomId, text: "hi <script>x</script>" }),
      });
      expect(posted.status).toBe(200);
      const view = (await posted.json()) as { message: { id: string }; html: string };
      expect(view.html).toBe("<p>hi &lt;script&gt;x&lt;/script&gt;</p>\n");
      const event = await waitFor(
        () =>
          stream
            .text()
            .split("\n\n")
            .find((e) => e.startsWith("event: message")),
        { timeoutMs: 30_000, what: "a message event" },
      );
      const data = JSON.parse(event.slice(event.indexOf("data: ") + 6)) as typeof view;
      expect(data).toEqual(view);
      const listed = (await (
        await fetch(`${emulator.url}/chat/api/rooms/${encodeURIComponent(roomId)}/messages`)
      ).json()) as { items: (typeof view)[] };
      expect(listed.items).toEqual([view]);
    } finally {
      stream.close();
    }
  });

  it("passes the control API's errors through", async () => {
    const posted = await fetch(`${emulator.url}/chat/api/messages`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ personId: aliceId, roomId: "nope", text: "x" }),
    });
    expect(posted.status).toBe(404);
    expect(((await posted.json()) as { message: string }).message).toMatch(/room/i);
    const bad = await fetch(`${emulator.url}/chat/api/messages`, { method: "POST", body: "{" });
    expect(bad.status).toBe(400);
    await bad.arrayBuffer();
  });
});
