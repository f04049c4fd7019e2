import { describe, expect, it } from "vitest";
import { silentLogger } from "@sparkbot/core";
import { waitFor } from "@sparkbot/testkit";
import { createRedisGuard } from "../src/redis-guard.js";

/** The part of a BullMQ worker the guard drives, recording what it was told. */
function recordingWorker() {
  const calls: string[] = [];
  return {
    calls,
    pause: async () => void calls.push("pause"),
    resume: () => void calls.push("resume"),
    isPaused: () => calls.at(-1) === "pause",
  };
}

function replyError(message: string): Error {
  return Object.assign(new Error(message), { name: "ReplyError" });
}

describe("the worker's Redis guard", () => {
  it("pauses at once when Redis refuses a command for its own state", () => {
    const worker = recordingWorker();
    const guard = createRedisGuard({
      worker,
      probe: () => new Promise(() => undefined),
      logger: silentLogger,
    });
    guard.onError(replyError("OOM command not allowed when used memory > 'maxmemory'"), "worker");
    expect(worker.calls).toEqual(["pause"]);
    expect(guard.pausedFor()).toMatch(/^OOM/);
    guard.stop();
  });

  it("pauses on a burst of Redis errors, not on BullMQ's own job errors", () => {
    const worker = recordingWorker();
    const guard = createRedisGuard({
      worker,
      probe: () => new Promise(() => undefined),
      logger: silentLogger,
    });
    for (let i = 0; i < 30; i += 1)
      guard.onError(new Error(`could not renew lock for job j${i}`), "worker");
    expect(worker.calls).toEqual([]);
    for (let i = 0; i < 10; i += 1) guard.onError(replyError("ERR something odd"), "worker");
    expect(worker.calls).toEqual(["pause"]);
    guard.stop();
  });

  it("resumes once a probe write succeeds", async () => {
    const worker = recordingWorker();
    let writable = false;
    let probes = 0;
    const probe = () => {
      probes += 1;
      return writable ? Promise.resolve("OK") : Promise.reject(new Error("OOM"));
    };
    const guard = createRedisGuard({
      worker,
      probe,
      logger: silentLogger,
      probeMs: 10,
      maxProbeMs: 20,
    });
    guard.onError(replyError("OOM command not allowed"), "redis");
    await waitFor(() => worker.calls.length >= 1, { timeoutMs: 10_000, what: "a pause" });
    // Probed every 10-20 ms and refused: still paused, no resume.
    await waitFor(() => probes >= 3, { timeoutMs: 10_000, what: "three refused probes" });
    expect(worker.calls).toEqual(["pause"]);
    writable = true;
    await waitFor(() => worker.calls.length >= 2, { timeoutMs: 10_000, what: "a resume" });
    expect(worker.calls).toEqual(["pause", "resume"]);
    expect(guard.pausedFor()).toBeUndefined();
    guard.stop();
  });
});
