import { spawnSync } from "node:child_process";
import { afterEach, describe, expect, it } from "vitest";
import { waitFor } from "@sparkbot/testkit";
import { startStack, texts, type Stack } from "./helpers/stack.js";
import { needs } from "../../../test-support/system-tools.js";

const promtool = needs("promtool");
/** The `limiter.max` the worker gives BullMQ (services/worker/src/worker.ts). */
const WORKER_LIMITER_MAX = 1_000_000;

let stack: Stack | undefined;

afterEach(async () => {
  await stack?.close();
  stack = undefined;
});

/** The value of a counter in Prometheus text, summed over the series matching `labels`. */
function metricValue(text: string, name: string, labels: Record<string, string> = {}): number {
  return text
    .split("\n")
    .filter((line) => line.startsWith(`${name}{`) || line.startsWith(`${name} `))
    .filter((line) => Object.entries(labels).every(([k, v]) => line.includes(`${k}="${v}"`)))
    .reduce((sum, line) => sum + Number(line.slice(line.lastIndexOf(" ") + 1)), 0);
}

/** Waits until the worker's counter `name` (over `labels`) reaches `value`; returns its text. */
async function metricReaches(
  metricsUrl: string,
  name: string,
  labels: Record<string, string>,
  value: number,
): Promise<string> {
  return waitFor(
    async () => {
      const text = await (await fetch(metricsUrl)).text();
      return metricValue(text, name, labels) >= value && text;
    },
    { timeoutMs: 60_000, what: `${name} ${JSON.stringify(labels)} to reach ${value}` },
  );
}

describe("delivery under Webex faults", () => {
  it("a 429 pauses, then every reply is delivered exactly once", async () => {
    stack = await startStack("r429");
    const worker = await stack.startWorker();
    // The reply to ping is refused once with 429 Retry-After: 1.
    await stack.control.fault({
      method: "POST",
      path: "/v1/messages",
      status: 429,
      retryAfter: 1,
      count: 1,
    });
    const started = Date.now();
    await stack.say("ping");
    await stack.waitForReplies(1, 30_000);
    // Retry-After is a lower bound: the reply cannot come sooner (a busy machine only delays it).
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);
    await stack.say("multi");
    // Both commands counted: each is done, its last reply sent and recorded.
    const ok = { outcome: "ok" };
    const metrics = await metricReaches(worker.metricsUrl, "sparkbot_commands_total", ok, 2);
    expect(texts(stack.replies())).toEqual(["**pong**", "one", "two", "three"]);
    expect(metricValue(metrics, "sparkbot_commands_total", ok)).toBe(2);
    expect(metricValue(metrics, "sparkbot_webex_requests_total", { status: "429" })).toBe(1);
    expect(metricValue(metrics, "sparkbot_job_retries_total", { reason: "webex_429" })).toBe(1);
  });

  it("a 429 pauses the whole queue, idle workers included, for Retry-After", async () => {
    stack = await startStack("pause");
    await stack.startWorker();
    await stack.startWorker();
    await stack.control.fault({
      method: "POST",
      path: "/v1/messages",
      status: 429,
      retryAfter: 2,
      count: 1,
    });
    await stack.say("ping");
    // The worker that met the 429 has paused the queue: BullMQ's limiter key set past the
    // workers' limiter max (services/worker/src/worker.ts), which the normal counting window
    // never reaches.
    const queue = stack.receiver.queue.queue;
    const pausedFor = () => queue.getRateLimitTtl(WORKER_LIMITER_MAX);
    await waitFor(async () => (await pausedFor()) > 0, {
      timeoutMs: 30_000,
      what: "the queue to be rate limited",
    });
    const paused = Date.now();
    const ttl = await pausedFor();
    await stack.say("ping"); // an idle worker could answer this at once, but must not
    const replies = await stack.waitForReplies(2, 30_000);
    // Neither reply comes before the pause that was still left when the second ping was sent.
    for (const reply of replies) expect(reply.at - paused).toBeGreaterThanOrEqual(ttl - 100);
    expect(texts(replies)).toEqual(["**pong**", "**pong**"]);
  });

  it("429s and 500s in the middle of a stream end in exactly one delivery of each reply", async () => {
    stack = await startStack("r500");
    const worker = await stack.startWorker();
    await stack.say("stream 4 300");
    await stack.waitForReplies(1, 30_000);
    // Reply 2 meets a 500, then (on the retry) reply 2 or 3 meets a 429.
    await stack.control.fault({ method: "POST", path: "/v1/messages", status: 500, count: 1 });
    await stack.waitForReplies(2, 30_000);
    await stack.control.fault({
      method: "POST",
      path: "/v1/messages",
      status: 429,
      retryAfter: 1,
      count: 1,
    });
    // The command is counted once its last reply is sent and recorded: nothing is left to send.
    const metrics = await metricReaches(
      worker.metricsUrl,
      "sparkbot_commands_total",
      { outcome: "ok" },
      1,
    );
    expect(texts(stack.replies())).toEqual(["part 1", "part 2", "part 3", "part 4"]);
    expect(
      metricValue(metrics, "sparkbot_webex_requests_total", { status: "500" }),
    ).toBeGreaterThanOrEqual(1);
    expect(metricValue(metrics, "sparkbot_replies_skipped_total")).toBeGreaterThanOrEqual(2);
    expect(metricValue(metrics, "sparkbot_replies_sent_total")).toBe(4);
  });

  it("a message Webex refuses with a 4xx is not retried", async () => {
    stack = await startStack("r404");
    const worker = await stack.startWorker();
    await stack.control.fault({ method: "GET", path: "/v1/messages/", status: 404, count: 1 });
    await stack.say("ping");
    // The job is failed for good: counted as failed, with no retry and no reply.
    const metrics = await metricReaches(
      worker.metricsUrl,
      "sparkbot_jobs_failed_total",
      { reason: "webex_404" },
      1,
    );
    expect(metricValue(metrics, "sparkbot_jobs_failed_total", { reason: "webex_404" })).toBe(1);
    expect(metricValue(metrics, "sparkbot_job_retries_total")).toBe(0);
    expect(
      await stack.receiver.queue.queue.getJobCounts("waiting", "delayed", "active"),
    ).toMatchObject({
      waiting: 0,
      delayed: 0,
      active: 0,
    });
    expect(stack.replies()).toHaveLength(0);
  });
});

describe("timeouts, scaling and metrics", () => {
  it("aborts a hung handler at the command timeout and tells the user", async () => {
    stack = await startStack("hang");
    await stack.startWorker({}, { COMMAND_TIMEOUT_MS: "500" });
    await stack.say("hang");
    const [reply] = await stack.waitForReplies(1, 30_000);
    expect(reply?.message.markdown).toMatch(/took too long/);
    // The worker is not blocked: the next command is answered.
    await stack.say("ping");
    const replies = await stack.waitForReplies(2, 30_000);
    expect(texts(replies)[1]).toBe("**pong**");
  });

  it("two workers on one queue share the load", async () => {
    stack = await startStack("share");
    const a = await stack.startWorker({}, { WORKER_CONCURRENCY: "1" });
    const b = await stack.startWorker({}, { WORKER_CONCURRENCY: "1" });
    for (let i = 0; i < 6; i += 1) await stack.say("slow 200");
    await stack.waitForReplies(12, 60_000);
    const scrape = () =>
      Promise.all(
        [a, b].map(async (w) =>
          metricValue(await (await fetch(w.metricsUrl)).text(), "sparkbot_commands_total"),
        ),
      );
    // A command is counted just after its last reply is sent (and recorded in the ledger).
    const counts = await waitFor(async () => {
      const current = await scrape();
      return current[0]! + current[1]! >= 6 && current;
    });
    expect(counts[0]! + counts[1]!).toBe(6);
    expect(counts[0]).toBeGreaterThan(0);
    expect(counts[1]).toBeGreaterThan(0);
  });

  promtool.it("serves /healthz and /metrics that promtool accepts", async () => {
    stack = await startStack("metrics");
    const worker = await stack.startWorker();
    await stack.say("ping");
    await stack.waitForReplies(1);
    const health = await fetch(worker.healthUrl);
    expect(health.status).toBe(200);
    // The command's metrics are recorded just after its last reply is sent.
    const text = await waitFor(async () => {
      const body = await (await fetch(worker.metricsUrl)).text();
      return (
        metricValue(body, "sparkbot_commands_total", { command: "ping", outcome: "ok" }) === 1 &&
        body
      );
    });
    expect(metricValue(text, "sparkbot_replies_sent_total")).toBe(1);
    expect(metricValue(text, "sparkbot_job_wait_seconds_count")).toBe(1);
    expect(text).toContain("process_cpu_user_seconds_total");
    const check = spawnSync(promtool.path("promtool"), ["check", "metrics"], {
      input: text,
      encoding: "utf8",
      timeout: 20_000,
    });
    expect(`${check.stdout}${check.stderr}`.trim()).toBe("");
    expect(check.status).toBe(0);
  });
});
