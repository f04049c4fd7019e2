import { Writable } from "node:stream";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createLogger, jobIdFor } from "@sparkbot/core";
import { waitFor } from "@sparkbot/testkit";
import { EVENT_JOB_OPTIONS } from "../src/event-queue.js";
import {
  BODY_LIMIT,
  BOT_ID,
  SECRET,
  sample,
  startAppFixture,
  type AppFixture,
} from "./app-fixture.js";
import { makeEvent, post } from "./helpers.js";

const REQUESTS = "sparkbot_receiver_requests_total";

describe("receiver app", () => {
  let fx: AppFixture;
  const lines: string[] = [];

  beforeEach(async () => {
    lines.length = 0;
    const destination = new Writable({
      write(chunk: Buffer, _encoding, done) {
        lines.push(...chunk.toString().split("\n").filter(Boolean));
        done();
      },
    });
    fx = await startAppFixture({
      logger: createLogger({ name: "receiver", level: "info", destination }),
    });
  });
  afterEach(async () => {
    await fx.close();
  });

  const metric = async (outcome: string) =>
    sample(await (await fetch(`${fx.url}/metrics`)).text(), REQUESTS, `{outcome="${outcome}"}`);

  it("enqueues a signed event with its resource id as job id, and answers 202", async () => {
    const event = makeEvent();
    const response = await post(fx.webhookUrl, event, { secret: SECRET });
    expect(response.status).toBe(202);
    expect(await response.json()).toEqual({ outcome: "accepted", jobId: jobIdFor(event) });

    const job = await fx.inspect.getJob(jobIdFor(event));
    expect(job?.name).toBe("messages/created");
    expect(job?.data.v).toBe(1);
    expect(job?.data.event).toEqual(event);
    expect(job?.opts.attempts).toBe(EVENT_JOB_OPTIONS.attempts);
    expect(job?.opts.backoff).toEqual(EVENT_JOB_OPTIONS.backoff);
    expect(await metric("accepted")).toBe(1);
  });

  it("enqueues a delivery that arrives twice once, and counts the repeat as duplicate", async () => {
    const event = makeEvent();
    const first = await post(fx.webhookUrl, event, { secret: SECRET });
    const second = await post(fx.webhookUrl, event, { secret: SECRET });
    expect([first.status, second.status]).toEqual([202, 202]);
    expect((await second.json()) as unknown).toEqual({
      outcome: "duplicate",
      jobId: jobIdFor(event),
    });
    expect(await fx.inspect.getJobCountByTypes("waiting", "prioritized")).toBe(1);
    expect(await metric("accepted")).toBe(1);
    expect(await metric("duplicate")).toBe(1);
  });

  it("enqueues concurrent copies of one delivery once", async () => {
    const event = makeEvent();
    const responses = await Promise.all(
      Array.from({ length: 8 }, () => post(fx.webhookUrl, event, { secret: SECRET })),
    );
    expect(responses.map((response) => response.status)).toEqual(Array(8).fill(202));
    expect(await fx.inspect.getJobCountByTypes("waiting", "prioritized")).toBe(1);
    expect(await metric("accepted")).toBe(1);
    expect(await metric("duplicate")).toBe(7);
  });

  it("answers 401 to a missing or wrong signature, and enqueues nothing", async () => {
    const event = makeEvent();
    expect((await post(fx.webhookUrl, event)).status).toBe(401);
    expect((await post(fx.webhookUrl, event, { secret: "wrong" })).status).toBe(401);
    expect((await post(fx.webhookUrl, event, { signature: "not hex at all" })).status).toBe(401);
    expect(await fx.inspect.getJob(jobIdFor(event))).toBeUndefined();
    expect(await metric("bad_signature")).toBe(3);
  });

  it("answers 400 to a body that is not JSON", async () => {
    const response = await post(fx.webhookUrl, "{not json", { secret: SECRET });
    expect(response.status).toBe(400);
    expect(((await response.json()) as { error: string }).error).toMatch(/invalid JSON/);
    expect(await metric("malformed")).toBe(1);
  });

  it.each([
    ["no data", { ...makeEvent(), data: undefined }, /data/],
    ["no data.id", { ...makeEvent(), data: { roomId: "r" } }, /data\.id/],
    ["resource not a string", { ...makeEvent(), resource: 42 }, /resource/],
    ["an array", [makeEvent()], /root|Expected object/],
    ["null", null, /root|Expected object/],
    ["a bad roomType", { ...makeEvent(), data: { id: "m", roomType: "x" } }, /roomType/],
  ])("answers 400 with the reason to an envelope with %s", async (_name, body, reason) => {
    const response = await post(fx.webhookUrl, body, { secret: SECRET });
    expect(response.status).toBe(400);
    const answer = (await response.json()) as { outcome: string; error: string };
    expect(answer.outcome).toBe("malformed");
    expect(answer.error).toMatch(reason);
  });

  it("answers 400 to a body nested deeper than 32 levels", async () => {
    for (const depth of [33, 2_000]) {
      const deep = `{"id":"w","data":${"[".repeat(depth)}${"]".repeat(depth)}}`;
      const response = await post(fx.webhookUrl, deep, { secret: SECRET });
      expect(response.status).toBe(400);
      expect(((await response.json()) as { error: string }).error).toBe(
        "JSON nested deeper than 32 levels",
      );
    }
    // Brackets inside strings are text, not nesting.
    const event = makeEvent();
    event.data.roomId = "[".repeat(100);
    expect((await post(fx.webhookUrl, event, { secret: SECRET })).status).toBe(202);
  });

  it("answers 413 past the body limit, declared or streamed", async () => {
    const big = JSON.stringify({ ...makeEvent(), padding: "x".repeat(BODY_LIMIT) });
    expect((await post(fx.webhookUrl, big, { secret: SECRET })).status).toBe(413);
    const stream = new ReadableStream<Uint8Array>({
      start(controller) {
        for (let i = 0; i < 8; i += 1) controller.enqueue(new Uint8Array(1024).fill(32));
        controller.close();
      },
    });
    const chunked = await fetch(fx.webhookUrl, {
      method: "POST",
      body: stream,
      duplex: "half",
    } as RequestInit);
    expect(chunked.status).toBe(413);
    expect(await metric("too_large")).toBe(2);
  });

  it("ignores, with 200, events it does not handle and events the bot caused", async () => {
    const unhandled = makeEvent({ resource: "rooms", event: "updated" });
    const ownAct = makeEvent({ actorId: BOT_ID });
    const ownMessage = makeEvent();
    ownMessage.data.personId = BOT_ID;
    for (const event of [unhandled, ownAct, ownMessage]) {
      const response = await post(fx.webhookUrl, event, { secret: SECRET });
      expect(response.status).toBe(200);
      expect(await fx.inspect.getJob(jobIdFor(event))).toBeUndefined();
    }
    expect(await metric("ignored")).toBe(3);
  });

  it("enqueues attachmentActions and memberships events too (created and deleted)", async () => {
    const action = makeEvent({ resource: "attachmentActions", event: "created" });
    const membership = makeEvent({ resource: "memberships", event: "created" });
    const left = makeEvent({ resource: "memberships", event: "deleted" });
    for (const event of [action, membership, left]) {
      expect((await post(fx.webhookUrl, event, { secret: SECRET })).status).toBe(202);
      expect((await fx.inspect.getJob(jobIdFor(event)))?.name).toBe(
        `${event.resource}/${event.event}`,
      );
    }
  });

  it("writes one JSON log line per delivery, without secrets or content", async () => {
    const event = makeEvent();
    await post(fx.webhookUrl, event, { secret: SECRET });
    await post(fx.webhookUrl, event, { secret: "wrong" });
    await waitFor(() => lines.length >= 2, { timeoutMs: 10_000, what: "two log lines" });
    const entries = lines.map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(entries.map((entry) => [entry["outcome"], entry["status"]])).toEqual([
      ["accepted", 202],
      ["bad_signature", 401],
    ]);
    expect(entries[0]).toMatchObject({ jobId: jobIdFor(event), resource: "messages" });
    expect(lines.join("\n")).not.toContain(SECRET);
    expect(lines.join("\n")).not.toContain("someone@example.com");
  });

  it("serves /healthz, /readyz, 404 and 405", async () => {
    expect((await fetch(`${fx.url}/healthz`)).status).toBe(200);
    const ready = await fetch(`${fx.url}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({
      ready: true,
      checks: { redis: true, registration: true },
    });
    expect((await fetch(`${fx.url}/nope`)).status).toBe(404);
    const get = await fetch(fx.webhookUrl);
    expect(get.status).toBe(405);
    expect(get.headers.get("allow")).toBe("POST");
  });

  it("reports queue depth by state on /metrics", async () => {
    await post(fx.webhookUrl, makeEvent(), { secret: SECRET });
    await post(fx.webhookUrl, makeEvent(), { secret: SECRET });
    const response = await fetch(`${fx.url}/metrics`);
    expect(response.headers.get("content-type")).toMatch(/^text\/plain/);
    const text = await response.text();
    expect(sample(text, "sparkbot_queue_jobs", '{state="waiting"}')).toBe(2);
    expect(sample(text, "sparkbot_queue_jobs", '{state="failed"}')).toBe(0);
    expect(
      sample(text, "sparkbot_receiver_request_duration_seconds_count", '{outcome="accepted"}'),
    ).toBe(2);
    expect(text).toContain("process_cpu_seconds_total");
  });
});

describe("receiver app without a secret yet, or with verification off", () => {
  let fx: AppFixture | undefined;
  afterEach(async () => {
    await fx?.close();
    fx = undefined;
  });

  it("answers 503 while the webhook secret is not loaded", async () => {
    fx = await startAppFixture({ secret: () => undefined });
    const response = await post(fx.webhookUrl, makeEvent(), { secret: SECRET });
    expect(response.status).toBe(503);
    expect(response.headers.get("retry-after")).toBe("1");
  });

  it("accepts unsigned deliveries only when verification is turned off", async () => {
    fx = await startAppFixture({ verifySignatures: false });
    const event = makeEvent();
    expect((await post(fx.webhookUrl, event)).status).toBe(202);
    expect(await fx.inspect.getJob(jobIdFor(event))).toBeDefined();
  });
});
