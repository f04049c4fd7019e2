import { spawnSync } from "node:child_process";
import { afterEach, describe, expect, it } from "vitest";
import { createMetrics } from "../src/metrics.js";
import { SECRET, sample, startAppFixture, type AppFixture } from "./app-fixture.js";
import { makeEvent, post } from "./helpers.js";
import { needs } from "../../../test-support/system-tools.js";

const promtool = needs("promtool");

describe("receiver /metrics", () => {
  let fx: AppFixture | undefined;
  afterEach(async () => {
    await fx?.close();
    fx = undefined;
  });

  promtool.it("passes `promtool check metrics`", async () => {
    fx = await startAppFixture();
    const event = makeEvent();
    await post(fx.webhookUrl, event, { secret: SECRET });
    await post(fx.webhookUrl, event, { secret: SECRET });
    await post(fx.webhookUrl, "{", { secret: SECRET });
    await post(fx.webhookUrl, event, { secret: "wrong" });
    const text = await (await fetch(`${fx.url}/metrics`)).text();
    expect(text).toContain("sparkbot_queue_jobs");
    const check = spawnSync(promtool.path("promtool"), ["check", "metrics"], {
      input: text,
      encoding: "utf8",
      timeout: 20_000,
    });
    expect(check.stdout + check.stderr).toBe("");
    expect(check.status).toBe(0);
  });

  it("reports every outcome from the start, at zero", async () => {
    const text = await createMetrics({ defaultMetrics: false }).render();
    for (const outcome of ["accepted", "duplicate", "bad_signature", "malformed", "ignored"]) {
      const labels = `{outcome="${outcome}"}`;
      expect(sample(text, "sparkbot_receiver_requests_total", labels)).toBe(0);
    }
  });

  it("leaves the queue gauge empty, without failing the scrape, when Redis is slow", async () => {
    const metrics = createMetrics({
      defaultMetrics: false,
      queueCountTimeoutMs: 50,
      countJobs: () => new Promise(() => undefined),
    });
    // countJobs never settles: the scrape ends only because it stops waiting for it.
    const text = await metrics.render();
    expect(sample(text, "sparkbot_queue_jobs", '{state="waiting"}')).toBeUndefined();
    expect(text).toContain("sparkbot_receiver_requests_total");
  });
});
