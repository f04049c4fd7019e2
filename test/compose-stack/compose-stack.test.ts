// `npm run test:compose`: docker-compose.yml for real. It installs what the machine lacks, starts
// a docker engine of its own when none runs (on a bridge of its own, with no way out), builds
// stand-in base images from Debian's packages when the official ones are not there, builds the
// project's image, and runs the local profile with 3 then 5 workers: commands answered, replies
// streamed, Prometheus' targets, a stop with work in flight, a Redis restart with a job queued.
// Everything it started is removed at the end, and the host's network settings are put back.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freePort, waitFor } from "../../packages/testkit/src/index.js";
import { run } from "../support/processes.js";
import { ROOT } from "../support/repo.js";
import { provideBaseImages, type BaseImages } from "./support/base-images.js";
import { keepBuildCache } from "./support/build-cache.js";
import { findCompose, type Compose } from "./support/compose.js";
import { provideDockerEngine, type DockerEngine } from "./support/docker-engine.js";
import { extraCaCertificates } from "./support/host-ca.js";
import { restoreNetwork, snapshotNetwork, type NetworkSnapshot } from "./support/host-network.js";
import { ensureHostPackages, log } from "./support/host-setup.js";
import { startRegistryProxy, type RegistryProxy } from "./support/registry-proxy.js";
import {
  containers,
  localWorld,
  repliesAfter,
  say,
  targetsUp,
  waitForReplies,
  waitHealthy,
  type LocalWorld,
} from "./support/stack.js";

const PROJECT = "sparkbotcomposetest";
const IMAGE = "sparkbot-compose-test:latest";
const started = performance.now();
const measured: Record<string, string> = {};

let network: NetworkSnapshot | undefined;
let engine: DockerEngine | undefined;
let proxy: RegistryProxy | undefined;
let compose: Compose;
let bases: BaseImages;
let world: LocalWorld;
let ports: { receiver: number; prometheus: number; emulator: number };
let built = false;

/** The environment compose runs in: no Webex account, the stand-ins, free host ports. */
function composeEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...engine!.env };
  for (const name of Object.keys(env)) {
    if (/^(WEBEX_|SPARK_|WEBHOOK_|COMPOSE_|BOT_MODULE)/.test(name)) delete env[name];
  }
  return {
    ...env,
    COMPOSE_PROJECT_NAME: PROJECT,
    SPARKBOT_IMAGE: IMAGE,
    NODE_IMAGE: bases.node,
    REDIS_IMAGE: bases.redis,
    PROMETHEUS_IMAGE: bases.prometheus,
    EXTRA_CA_CERT: extraCaCertificates(),
    RECEIVER_HOST_PORT: String(ports.receiver),
    PROMETHEUS_HOST_PORT: String(ports.prometheus),
    EMULATOR_HOST_PORT: String(ports.emulator),
    SLOW_COMMAND_MS: "6000",
  };
}

const seconds = (since: number) => `${((performance.now() - since) / 1000).toFixed(0)} s`;

/** Runs one step of a test and logs how long it took (the test's minutes are spent in steps). */
async function step<T>(what: string, action: () => Promise<T>): Promise<T> {
  const begun = performance.now();
  const result = await action();
  log(`${what}: ${((performance.now() - begun) / 1000).toFixed(1)} s`);
  return result;
}

beforeAll(async () => {
  await ensureHostPackages();
  network = await snapshotNetwork();
  engine = await provideDockerEngine();
  bases = await provideBaseImages(engine);
  ports = { receiver: await freePort(), prometheus: await freePort(), emulator: await freePort() };
  compose = await findCompose(engine, composeEnv());
  log(
    `${compose.name} ${compose.version}; base images ${bases.node}, ${bases.redis}, ${bases.prometheus}`,
  );
  await compose.run(["down", "--volumes", "--remove-orphans"]);
}, 1_800_000);

afterAll(async () => {
  if (compose !== undefined) await compose.run(["down", "--volumes", "--remove-orphans"]);
  await proxy?.close();
  // The engine's data (base images, the build's stages, tagged by keepBuildCache) is kept for
  // the next run; images left dangling by earlier builds are not.
  if (engine?.ours) await run("docker", ["image", "prune", "--force"], { env: engine.env });
  await engine?.stop();
  if (network !== undefined && engine?.ours) {
    const changed = await restoreNetwork(network);
    if (changed.length > 0) log(`host network put back: ${changed.join("; ")}`);
  }
  measured["compose test"] = seconds(started);
  log(
    `measured: ${Object.entries(measured)
      .map(([k, v]) => `${k} ${v}`)
      .join(", ")}`,
  );
}, 300_000);

describe(`docker-compose.yml, run for real (${PROJECT})`, () => {
  it("commands that only read the file need no variable (config, ps)", async () => {
    expect(await compose.ok(["config", "--quiet"])).toBe("");
    expect(await compose.ok(["ps", "-q"])).toBe("");
  });

  it("builds the image: non-root, with a health check and the entry point", async () => {
    const args = ["build"];
    const proxyArgs: Record<string, string> = {};
    if (engine!.ours) {
      // The engine's builds have no route out: the npm registry is reached through this proxy on
      // the host's side of the bridge, which lets nothing else through.
      proxy = await startRegistryProxy({
        host: engine!.gateway!,
        allowed: ["registry.npmjs.org:443"],
      });
      for (const name of ["HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy"]) {
        args.push("--build-arg", `${name}=${proxy.url}`);
        proxyArgs[name] = proxy.url;
      }
    }
    const building = performance.now();
    await compose.ok([...args, "receiver"], 1_200_000);
    measured["build"] = seconds(building);
    built = true;
    const tagging = performance.now();
    await keepBuildCache({
      engine: engine!,
      context: ROOT,
      buildArgs: { NODE_IMAGE: bases.node, EXTRA_CA_CERT: extraCaCertificates(), ...proxyArgs },
      repository: "sparkbot-compose-test-cache",
    });
    measured["build cache kept"] = seconds(tagging);
    expect(proxy?.refused ?? []).toEqual([]);
    const inspect = await run(
      "docker",
      [
        "image",
        "inspect",
        "--format",
        "{{.Size}} {{.Config.User}} {{json .Config.Entrypoint}} {{json .Config.Healthcheck.Test}}",
        IMAGE,
      ],
      { env: engine!.env },
    );
    const [size, user, entrypoint, health] = inspect.stdout.trim().split(" ");
    measured["image"] = `${(Number(size) / 1e6).toFixed(0)} MB`;
    expect(user).toBe("node");
    expect(entrypoint).toBe('["sh","/app/docker/entrypoint.sh"]');
    expect(health).toBe('["CMD","node","docker/healthcheck.mjs"]');
  }, 1_260_000);

  it("without a token and without the emulator, a service stops with one line saying what to set", async () => {
    const result = await run(
      "docker",
      [
        "run",
        "--rm",
        "--network",
        "none",
        "-e",
        "SPARKBOT_LOCAL_WEBEX=http://emulator:8900",
        "-e",
        "SPARKBOT_LOCAL_BOT_TOKEN=t",
        "-e",
        "SPARKBOT_LOCAL_WAIT_S=1",
        IMAGE,
        "node",
        "services/worker/dist/main.js",
      ],
      { env: engine!.env, timeoutMs: 60_000 },
    );
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(
      /WEBEX_ACCESS_TOKEN is not set, and no local Webex emulator answered at http:\/\/emulator:8900/,
    );
    expect(result.stderr).toContain("docker compose --profile local up");
    expect(result.stderr.trim().split("\n")).toHaveLength(1);
  }, 90_000);

  it("`up --scale worker=3` with the local profile: every container healthy", async () => {
    if (!built) throw new Error("the image was not built: nothing to run (see the build's error)");
    const upping = performance.now();
    await step("up", () => compose.ok(["up", "-d", "--no-build", "--scale", "worker=3"]));
    await step("healthy", () =>
      waitHealthy(compose, engine!, {
        redis: 1,
        receiver: 1,
        worker: 3,
        emulator: 1,
        prometheus: 1,
      }),
    );
    measured["up to healthy"] = seconds(upping);
    world = await localWorld(`http://127.0.0.1:${ports.emulator}`);
  }, 240_000);

  it("answers a command, in the direct room and @mentioned in the group room", async () => {
    const direct = await say(world, "ping");
    expect(await waitForReplies(world, world.direct, direct, 1)).toEqual(["**pong**"]);
    const group = await say(world, "ping", "group");
    expect(await waitForReplies(world, world.group, group, 1)).toEqual(["**pong**"]);
  }, 120_000);

  it("streams a yielded reply while the command is still running", async () => {
    const slow = await say(world, "slow");
    const first = await waitForReplies(world, world.direct, slow, 1);
    expect(first).toEqual(["working on it"]);
    expect(await waitForReplies(world, world.direct, slow, 2)).toEqual([
      "working on it",
      "**done**",
    ]);
  }, 120_000);

  it("Prometheus scrapes the receiver and the 3 workers", async () => {
    const url = `http://127.0.0.1:${ports.prometheus}`;
    await waitFor(
      async () => {
        const up = await targetsUp(url);
        return up["sparkbot-receiver"] === 1 && up["sparkbot-worker"] === 3;
      },
      { timeoutMs: 120_000, intervalMs: 1000, what: "1 receiver and 3 worker targets up" },
    );
  }, 150_000);

  it("scales to 5 workers, and Prometheus finds the 2 new ones", async () => {
    await compose.ok(["up", "-d", "--no-build", "--no-recreate", "--scale", "worker=5"]);
    await waitHealthy(compose, engine!, { worker: 5 });
    await waitFor(
      async () =>
        (await targetsUp(`http://127.0.0.1:${ports.prometheus}`))["sparkbot-worker"] === 5,
      {
        timeoutMs: 120_000,
        intervalMs: 1000,
        what: "5 worker targets up",
      },
    );
  }, 300_000);

  it("`stop` with commands in flight lets them finish: every reply sent once, workers exit 0", async () => {
    const first = await say(world, "slow");
    const inGroup = await say(world, "slow", "group");
    await say(world, "slow");
    const count = async (roomId: string, after: string, reply: string) =>
      (await repliesAfter(world, roomId, after)).filter((r) => r === reply).length;
    // All three are running (each has said "working on it") when the stop comes.
    await waitFor(
      async () =>
        (await count(world.direct, first, "working on it")) === 2 &&
        (await count(world.group, inGroup, "working on it")) === 1,
      { timeoutMs: 60_000, intervalMs: 100, what: "three slow commands running" },
    );
    await compose.ok(["stop", "worker"], 120_000);
    const stopped = (await containers(compose, engine!)).filter((c) => c.service === "worker");
    expect(stopped.map((c) => `${c.status} ${c.exitCode}`)).toEqual(Array(5).fill("exited 0"));
    expect(await count(world.direct, first, "**done**")).toBe(2);
    expect(await count(world.group, inGroup, "**done**")).toBe(1);
    expect(await count(world.direct, first, "working on it")).toBe(2);
  }, 180_000);

  it("a job queued while no worker runs survives a Redis kill and is answered after", async () => {
    const queued = await say(world, "ping");
    await waitFor(
      async () => {
        const response = await fetch(`${world.emulatorUrl}/_emulator/deliveries`);
        const { items } = (await response.json()) as {
          items: { dataId: string; status: number | null }[];
        };
        return items.some((d) => d.dataId === queued && d.status === 202);
      },
      { timeoutMs: 30_000, intervalMs: 200, what: "the receiver to accept the message (202)" },
    );
    await step("kill redis", () => compose.ok(["kill", "-s", "SIGKILL", "redis"]));
    await step("start redis", () => compose.ok(["start", "redis"]));
    await step("redis healthy", () => waitHealthy(compose, engine!, { redis: 1 }));
    expect(await repliesAfter(world, world.direct, queued)).toEqual([]);
    // One worker is enough to take it (and starts quickly on a small machine).
    const worker = (await containers(compose, engine!)).find((c) => c.service === "worker");
    await step("start a worker", () => run("docker", ["start", worker!.id], { env: engine!.env }));
    const replies = await step("reply", () =>
      waitForReplies(world, world.direct, queued, 1, 90_000),
    );
    expect(replies).toEqual(["**pong**"]);
  }, 240_000);

  it("`down --volumes` leaves no container, network or volume of the project", async () => {
    await step("down", () => compose.ok(["down", "--volumes", "--remove-orphans"], 180_000));
    const label = `label=com.docker.compose.project=${PROJECT}`;
    for (const kind of ["container ls -a", "network ls", "volume ls"]) {
      const listed = await run("docker", [...kind.split(" "), "-q", "--filter", label], {
        env: engine!.env,
      });
      expect(listed.stdout.trim(), kind).toBe("");
    }
  }, 200_000);
});
