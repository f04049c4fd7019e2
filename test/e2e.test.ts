// The whole system as a user runs it, with the README's commands: `npm run dev` starts the
// emulator, the receiver and a worker as real processes; the test talks to the bot with
// `npm run sparkbot -- say`, scrapes both services with a real Prometheus, runs
// docker-compose.yml's health checks against them, and stops it all with Ctrl-C (SIGINT to the
// process group, as a terminal sends it).
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join, relative } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DevSession } from "../packages/cli/src/dev/session.js";
import { EmulatorControl } from "../packages/emulator/src/index.js";
import { readSession } from "../packages/cli/src/dev/session.js";
import { serviceNodeFlags } from "../packages/core/src/config/node-flags.js";
import { freePort } from "../packages/cli/src/lib/ports.js";
import {
  TEST_REDIS_URL,
  deletePrefix,
  uniquePrefix,
  waitFor,
} from "../packages/testkit/src/index.js";
import {
  alive,
  commandLine,
  interrupt,
  run,
  start,
  stop,
  type Running,
} from "./support/processes.js";
import { startPrometheus, type TestPrometheus } from "./support/prometheus.js";
import { ROOT, composeCommand } from "./support/repo.js";
import { needs } from "../test-support/system-tools.js";

const prometheusTools = needs("prometheus");

/** A counter's value in Prometheus text, summed over the series whose labels include `labels`. */
function counter(text: string, name: string, labels: string): number {
  return text
    .split("\n")
    .filter((line) => line.startsWith(`${name}{`) && line.includes(labels))
    .reduce((sum, line) => sum + Number(line.slice(line.lastIndexOf(" ") + 1)), 0);
}

const BUILT = [
  "packages/cli/dist/bin.js",
  "packages/emulator/dist/cli.js",
  "services/receiver/dist/main.js",
  "services/worker/dist/main.js",
  "examples/example-bot/dist/bot.js",
].map((path) => join(ROOT, path));

interface Reply {
  text?: string;
  markdown?: string;
  created: string;
}

describe("end to end: sparkbot dev, the bot, metrics and shutdown", () => {
  const prefix = uniquePrefix("e2e");
  let dir: string;
  let sessionPath: string;
  let dev: Running;
  let session: DevSession;
  let prometheus: TestPrometheus | undefined;

  beforeAll(async () => {
    const missing = BUILT.filter((path) => !existsSync(path));
    if (missing.length > 0) throw new Error(`not built, run \`pnpm build\`: ${missing.join(", ")}`);
    dir = mkdtempSync(join(tmpdir(), "sparkbot-e2e-"));
    sessionPath = join(dir, "dev.json");
    const ports = ["--emulator-port", "0", "--receiver-port", "0", "--worker-port", "0"];
    dev = start("npm", ["run", "-s", "dev", "--", "--session", sessionPath, ...ports], {
      cwd: ROOT,
      detached: true,
      env: {
        ...process.env,
        REDIS_URL: TEST_REDIS_URL,
        REDIS_PREFIX: prefix,
        SLOW_COMMAND_MS: "1500",
        WEBEX_ACCESS_TOKEN: "",
        SPARK_ACCESS_TOKEN: "",
        WEBHOOK_URL: "",
      },
    });
    await waitFor(
      () => {
        if (dev.process.exitCode !== null) throw new Error(`sparkbot dev exited:\n${dev.output()}`);
        return dev.output().includes("SparkBot is ready.");
      },
      { timeoutMs: 60_000, intervalMs: 100, what: `sparkbot dev to be ready\n${dev.output()}` },
    );
    session = readSession(sessionPath);
  }, 90_000);

  afterAll(async () => {
    await prometheus?.close();
    const running = dev?.process.exitCode === null && dev.process.signalCode === null;
    if (running) interrupt(dev);
    await stop(dev, 20_000);
    await deletePrefix(prefix);
    if (dir) rmSync(dir, { recursive: true, force: true });
  }, 60_000);

  async function say(text: string, extra: string[] = []): Promise<Reply[]> {
    const args = ["say", "--session", sessionPath, "--json", "--quiet-ms", "1000", ...extra];
    const npm = ["run", "-s", "sparkbot", "--", ...args, text];
    const result = await run("npm", npm, { cwd: ROOT, timeoutMs: 30_000 });
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    return result.stdout
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line) as Reply);
  }

  const texts = (replies: Reply[]) => replies.map((reply) => reply.markdown ?? reply.text);

  it("answers ping with **pong**, in the direct room and, mentioned, in the group room", async () => {
    expect(texts(await say("ping"))).toEqual(["**pong**"]);
    expect(texts(await say("ping", ["--room", "group"]))).toEqual(["**pong**"]);
  }, 60_000);

  it("answers help with the command list", async () => {
    const [help, ...more] = texts(await say("help"));
    expect(more).toEqual([]);
    expect(help).toContain("Type `help [command]` for more specific help");
    expect(help).toContain(" - ping");
    expect(help).toContain(" - echo, testcommand");
  }, 60_000);

  it("keeps a quoted argument together", async () => {
    expect(texts(await say('echo "hello big world" second'))).toEqual(["hello big world"]);
  }, 60_000);

  it("sends an unknown command to the example bot's fallback", async () => {
    const replies = texts(await say("frobnicate now"));
    expect(replies).toHaveLength(1);
    expect(replies[0]).toContain('I don\'t know the command "frobnicate"');
  }, 60_000);

  it("delivers the slow command's interim reply before it finishes", async () => {
    const replies = await say("slow", ["--quiet-ms", "4000"]);
    expect(texts(replies)).toEqual(["working on it", "**done**"]);
    const [first, last] = replies.map((reply) => Date.parse(reply.created));
    expect(last! - first!).toBeGreaterThanOrEqual(1_000);
  }, 60_000);

  it("answers a card submitted through the emulator's control API (the feedback form)", async () => {
    const [form, ...more] = await say("feedback");
    expect(more).toEqual([]);
    const card = (form as Reply & { id: string; attachments?: { content: { type: string } }[] })!;
    expect(card.attachments?.[0]?.content.type).toBe("AdaptiveCard");
    const { emulator } = session;
    const control = new EmulatorControl(emulator!.url);
    await control.submitCard({
      personId: emulator!.user.id,
      messageId: card.id,
      button: "Send",
      inputs: { rating: "😀 Great", comment: "Works end to end" },
    });
    const thanks = await waitFor(
      async () => {
        const messages = await control.roomMessages(emulator!.rooms.direct);
        return messages.find((m) => (m.markdown ?? "").startsWith("Thanks,")) ?? false;
      },
      { timeoutMs: 30_000, intervalMs: 200, what: "the bot's thanks for the feedback" },
    );
    expect(thanks.markdown).toContain("Your feedback (😀 Great) is noted.");
    // The form was replaced by what was sent.
    const messages = await control.roomMessages(emulator!.rooms.direct);
    expect(messages.some((m) => m.id === card.id)).toBe(false);
    expect(messages.some((m) => m.markdown === "Feedback received: 😀 Great")).toBe(true);
  }, 60_000);

  it("serves the chat page at the URL it printed", async () => {
    const chatUrl = session.emulator!.chatUrl;
    expect(dev.output()).toContain(`Talk to the bot:     ${chatUrl}`);
    const response = await fetch(chatUrl);
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toContain("text/html");
  });

  it("registered the receiver's webhooks with the emulator (sparkbot webhooks list)", async () => {
    const args = ["run", "-s", "sparkbot", "--", "webhooks", "list", "--json"];
    const env = { ...process.env, WEBEX_ACCESS_TOKEN: "", SPARK_ACCESS_TOKEN: "", WEBHOOK_URL: "" };
    type Hook = { resource: string; event: string; filter?: string; targetUrl: string };
    const list = async (): Promise<Hook[]> => {
      const result = await run("npm", [...args, "--session", sessionPath], { cwd: ROOT, env });
      expect(result.code).toBe(0);
      return JSON.parse(result.stdout) as Hook[];
    };
    // The example bot handles its own arrival only (a greeting): once its worker said so, the
    // receiver keeps the memberships webhook to the bot's own memberships.
    const bot = session.emulator!.bot.id;
    const hooks = await waitFor(
      async () => {
        const all = await list();
        const kinds = all.map((h) => `${h.resource}/${h.event}${h.filter ? `?${h.filter}` : ""}`);
        const wanted = [
          "attachmentActions/created",
          `memberships/created?personId=${bot}`,
          "messages/created",
        ];
        return JSON.stringify(kinds.sort()) === JSON.stringify(wanted) && all;
      },
      { timeoutMs: 30_000, intervalMs: 500, what: "the example bot's webhooks" },
    );
    for (const hook of hooks) expect(hook.targetUrl).toBe(`${session.receiverUrl}/sparkbot`);
  }, 60_000);

  it("runs the receiver and worker with docker-compose.yml's commands and the services' Node flags", () => {
    for (const service of ["receiver", "worker"] as const) {
      const [program, script] = composeCommand(service, "command");
      const [binary, ...args] = commandLine(session.pids[service]!);
      expect(basename(binary!)).toBe(program);
      expect(relative(ROOT, args.at(-1)!)).toBe(script);
      // The image gives them in NODE_OPTIONS; dev on the command line (unless NODE_OPTIONS has them).
      const expected = serviceNodeFlags(process.env["NODE_OPTIONS"]);
      expect(args.slice(0, -1)).toEqual(expected);
    }
  });

  it("passes docker-compose.yml's health checks, which fail where nothing answers", async () => {
    const checks = {
      receiver: new URL(session.receiverUrl).port,
      worker: new URL(session.workerUrl).port,
    };
    for (const [service, port] of Object.entries(checks)) {
      const [program, ...args] = composeCommand(service, "healthcheck");
      const env = { ...process.env, HEALTHCHECK_PORT: port };
      const healthy = await run(program === "node" ? process.execPath : program!, args, {
        cwd: ROOT,
        env,
      });
      expect(healthy.code, healthy.stderr).toBe(0);
    }
    const [, ...args] = composeCommand("worker", "healthcheck");
    const nobody = { ...process.env, HEALTHCHECK_PORT: String(await freePort()) };
    const unhealthy = await run(process.execPath, args, { cwd: ROOT, env: nobody });
    expect(unhealthy.code).toBe(1);
  });

  prometheusTools.it(
    "is scraped by a real Prometheus, which reads the counters back",
    async () => {
      // This test makes its own traffic: the counters as the services show them now, then one
      // ping, then Prometheus must read back exactly one more ping.
      const scrape = async (url: string) => (await fetch(new URL("/metrics", url))).text();
      const acceptedBefore = counter(
        await scrape(session.receiverUrl),
        "sparkbot_receiver_requests_total",
        'outcome="accepted"',
      );
      const pingsBefore = counter(
        await scrape(session.workerUrl),
        "sparkbot_commands_total",
        'command="ping",outcome="ok"',
      );
      const target = (url: string) => new URL(url).host;
      prometheus = await startPrometheus(composeCommand("prometheus", "command"), {
        receiver: target(session.receiverUrl),
        worker: target(session.workerUrl),
      });
      const [wget, ...wgetArgs] = composeCommand("prometheus", "healthcheck");
      expect(wget).toBe("wget");
      const readyUrl = `${prometheus.url}/-/ready`;
      const check = await run(
        prometheusTools.path("wget"),
        wgetArgs.map((arg) => arg.replace(/^http:\/\/\S+\/-\/ready$/, readyUrl)),
      );
      expect(check.code).toBe(0);
      expect(texts(await say("ping"))).toEqual(["**pong**"]);
      const accepted = await waitFor(
        async () => {
          const [sample] = await prometheus!.query(
            'sparkbot_receiver_requests_total{outcome="accepted"}',
          );
          const value = Number(sample?.value[1] ?? Number.NaN);
          return value >= acceptedBefore + 1 ? value : false;
        },
        {
          timeoutMs: 60_000,
          intervalMs: 500,
          what: "the receiver's accepted counter in Prometheus",
        },
      );
      expect(accepted).toBeGreaterThanOrEqual(acceptedBefore + 1);
      const pings = await waitFor(
        async () => {
          const [sample] = await prometheus!.query(
            'sparkbot_commands_total{command="ping",outcome="ok"}',
          );
          const value = Number(sample?.value[1] ?? Number.NaN);
          return value >= pingsBefore + 1 ? value : false;
        },
        { timeoutMs: 60_000, intervalMs: 500, what: "the worker's ping counter in Prometheus" },
      );
      expect(pings).toBe(pingsBefore + 1);
      const up = await prometheus.query("up");
      expect(up.map((sample) => [sample.metric["job"], sample.value[1]]).sort()).toEqual([
        ["receiver", "1"],
        ["worker", "1"],
      ]);
    },
    150_000,
  );

  it("stops everything on Ctrl-C: no process left, session file removed", async () => {
    const pids = Object.values(session.pids);
    expect(pids.length).toBeGreaterThanOrEqual(3);
    interrupt(dev);
    const code = await Promise.race([
      dev.exited,
      new Promise((resolve) => setTimeout(() => resolve("still running after 30 s"), 30_000)),
    ]);
    // npm, like a shell, ends itself by SIGINT once its script has stopped on Ctrl-C.
    expect([0, 130, "SIGINT"], dev.output()).toContain(code);
    expect(dev.output()).toContain("sparkbot dev: stopped");
    expect(pids.filter(alive)).toEqual([]);
    expect(existsSync(sessionPath)).toBe(false);
  }, 40_000);
});
