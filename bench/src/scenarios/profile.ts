import { randomBytes } from "node:crypto";
import { mkdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import type { ControlPerson } from "@sparkbot/emulator";
import { deletePrefix } from "@sparkbot/testkit";
import { readProfile, summarizeProfile } from "../lib/cpu-profile.js";
import { PingDriver, type Pinger } from "../lib/ping-driver.js";
import { startReceiverProcess, startWorkerProcess } from "../lib/services.js";
import type { BenchContext } from "./context.js";
import { waitForWebhook } from "./worker-runs.js";
import { runIngestLoad, serviceEnv } from "./ingest.js";

function profileDir(ctx: BenchContext, name: string): string {
  const dir = join(ctx.resultsDir, "profiles", name);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  return dir;
}

/** `node --cpu-prof` on the receiver under the ingest load: where its time goes. */
async function profileReceiver(ctx: BenchContext, bot: ControlPerson): Promise<void> {
  const dir = profileDir(ctx, "receiver");
  const env = serviceEnv(ctx, bot.token, "bench-prof-rx");
  const secret = randomBytes(16).toString("hex");
  const spawnedAt = Date.now();
  const receiver = await startReceiverProcess(env, {
    secret,
    register: false,
    nodeArgs: ["--cpu-prof", "--cpu-prof-dir", dir],
  });
  let loadAt = Date.now();
  try {
    // A short warm-up first, so that the profile shows the steady state, not the JIT warming.
    await runIngestLoad(ctx, receiver.webhookUrl, secret, 1);
    loadAt = Date.now();
    await runIngestLoad(ctx, receiver.webhookUrl, secret, ctx.settings.profileSeconds);
  } finally {
    await receiver.handle.stop(15_000);
    await deletePrefix(env.redisPrefix, ctx.redisUrl);
  }
  ctx.profiles.push(
    summarizeProfile(
      readProfile(dir),
      "receiver",
      `ingest, ${ctx.settings.connections} connections`,
      loadAt - spawnedAt,
    ),
  );
}

/** `node --cpu-prof` on one worker at saturation (receiver unprofiled). */
async function profileWorker(
  ctx: BenchContext,
  bot: ControlPerson,
  pingers: Pinger[],
): Promise<void> {
  const dir = profileDir(ctx, "worker");
  const env = serviceEnv(ctx, bot.token, "bench-prof-wk");
  const receiver = await startReceiverProcess(env, {
    secret: randomBytes(16).toString("hex"),
    register: true,
  });
  const driver = new PingDriver(ctx.emulator, ctx.control, bot.id);
  let spawnedAt = Date.now();
  let loadAt = Date.now();
  try {
    await waitForWebhook(ctx, bot.id, receiver.webhookUrl);
    spawnedAt = Date.now();
    const { handle: worker } = await startWorkerProcess(env, {
      index: 1,
      concurrency: ctx.settings.workerConcurrency,
      nodeArgs: ["--cpu-prof", "--cpu-prof-dir", dir],
    });
    try {
      await driver.saturation(pingers, {
        total: ctx.settings.warmupPings,
        maxMs: ctx.settings.saturationMaxMs,
        replyTimeoutMs: ctx.settings.replyTimeoutMs,
      });
      loadAt = Date.now();
      await driver.saturation(pingers, {
        total: Number.MAX_SAFE_INTEGER,
        maxMs: ctx.settings.profileSeconds * 1000,
        replyTimeoutMs: ctx.settings.replyTimeoutMs,
      });
    } finally {
      await worker.stop(15_000);
    }
  } finally {
    driver.dispose();
    await receiver.handle.stop();
    await deletePrefix(env.redisPrefix, ctx.redisUrl);
  }
  const summary = summarizeProfile(
    readProfile(dir),
    "worker",
    `ping at saturation, ${pingers.length} in flight`,
    loadAt - spawnedAt,
  );
  ctx.profiles.push(summary);
  const share = (name: string): number =>
    (summary.inclusive.find((entry) => entry.name.startsWith(name))?.share ?? 0) * 100;
  ctx.rows.set("client.sdk.stack", share("[group] Webex SDK"), {
    note:
      `bullmq + ioredis on the stack ${share("[group] queue").toFixed(0)}%, ` +
      `garbage collector ${((summary.packages.find((p) => p.name === "(garbage collector)")?.share ?? 0) * 100).toFixed(0)}% ` +
      `of ${summary.totalMs} ms sampled`,
  });
}

/** CPU profiles of the receiver and a worker under load, for the "where the time goes" notes. */
export async function runProfiles(
  ctx: BenchContext,
  bot: ControlPerson,
  pingers: Pinger[],
): Promise<void> {
  ctx.log("profile: receiver under ingest load");
  await profileReceiver(ctx, bot);
  ctx.log("profile: worker at saturation");
  await profileWorker(ctx, bot, pingers);
}
