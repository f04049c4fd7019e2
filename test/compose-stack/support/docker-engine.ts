import { closeSync, existsSync, mkdirSync, openSync, readFileSync, rmSync } from "node:fs";
import { spawn } from "node:child_process";
import { join } from "node:path";
import { waitFor } from "../../../packages/testkit/src/index.js";
import { alive, commandLine, run } from "../../support/processes.js";
import { log, STATE_DIR } from "./host-setup.js";
import { linkNames } from "./host-network.js";

/** The docker engine the test talks to. */
export interface DockerEngine {
  /** The environment for `docker` and compose (DOCKER_HOST and the rest of ours). */
  env: NodeJS.ProcessEnv;
  /** True when the test started this daemon (and so stops it and owns its network settings). */
  ours: boolean;
  /** The host's address on the engine's bridge when it is ours: the only place builds reach. */
  gateway?: string;
  /** Stops the daemon if the test started it; leaves a daemon that was running alone. */
  stop(): Promise<void>;
}

/** The bridge the test's daemon puts containers on, and the pool for compose's networks. */
export const BRIDGE = { name: "sbtest0", address: "10.213.0.1", prefix: 24 };
const ADDRESS_POOL = "base=10.213.128.0/17,size=24";
const RUN_DIR = "/run/sparkbot-compose-test";
const SOCKET = `unix://${RUN_DIR}/docker.sock`;

async function answers(env: NodeJS.ProcessEnv): Promise<boolean> {
  const version = await run("docker", ["version", "--format", "{{.Server.Version}}"], {
    env,
    timeoutMs: 15_000,
  });
  return version.code === 0 && version.stdout.trim() !== "";
}

/**
 * The machine's docker daemon when one runs (DOCKER_HOST, or /var/run/docker.sock), else a
 * daemon of the test's own: its data under STATE_DIR (so base images and build cache survive
 * between runs), containers only on a bridge the test creates, and no firewall, forwarding or
 * masquerading changes (--iptables=false --ip-forward=false --ip-masq=false), so nothing a
 * container sends leaves that bridge; DNS queries go to the host's address on it, where nothing
 * answers.
 */
export async function provideDockerEngine(): Promise<DockerEngine> {
  const machine = { ...process.env };
  if (machine["DOCKER_HOST"] !== undefined || existsSync("/var/run/docker.sock")) {
    if (await answers(machine)) {
      log(
        `using the machine's docker daemon (${machine["DOCKER_HOST"] ?? "/var/run/docker.sock"})`,
      );
      return { env: machine, ours: false, stop: async () => undefined };
    }
  }
  await stopLeftover();
  await createBridge();
  mkdirSync(RUN_DIR, { recursive: true });
  mkdirSync(join(STATE_DIR, "docker"), { recursive: true });
  const logFile = openSync(join(STATE_DIR, "dockerd.log"), "w");
  const daemon = spawn(
    "dockerd",
    [
      `--data-root=${join(STATE_DIR, "docker")}`,
      `--exec-root=${RUN_DIR}/exec`,
      `--pidfile=${RUN_DIR}/dockerd.pid`,
      `--host=${SOCKET}`,
      `--bridge=${BRIDGE.name}`,
      "--iptables=false",
      "--ip6tables=false",
      "--ip-forward=false",
      "--ip-masq=false",
      `--default-address-pool=${ADDRESS_POOL}`,
      `--dns=${BRIDGE.address}`,
      "--log-level=warn",
    ],
    { stdio: ["ignore", logFile, logFile], detached: true },
  );
  closeSync(logFile);
  daemon.unref();
  const env = { ...process.env, DOCKER_HOST: SOCKET };
  await waitFor(
    async () => {
      if (daemon.exitCode !== null) {
        throw new Error(`dockerd exited: ${readFileSync(join(STATE_DIR, "dockerd.log"), "utf8")}`);
      }
      return answers(env);
    },
    { timeoutMs: 60_000, intervalMs: 500, what: "dockerd to answer" },
  );
  log(`started dockerd (pid ${daemon.pid}) on ${SOCKET}, containers on ${BRIDGE.name}`);
  return {
    env,
    ours: true,
    gateway: BRIDGE.address,
    stop: async () => {
      if (daemon.pid !== undefined) await stopProcess(daemon.pid);
      await run("ip", ["link", "delete", BRIDGE.name]);
      log("stopped the dockerd it started");
    },
  };
}

async function createBridge(): Promise<void> {
  if ((await linkNames()).includes(BRIDGE.name)) await run("ip", ["link", "delete", BRIDGE.name]);
  for (const args of [
    ["link", "add", BRIDGE.name, "type", "bridge"],
    ["addr", "add", `${BRIDGE.address}/${BRIDGE.prefix}`, "dev", BRIDGE.name],
    ["link", "set", BRIDGE.name, "up"],
  ]) {
    const result = await run("ip", args);
    if (result.code !== 0) throw new Error(`ip ${args.join(" ")}: ${result.stderr.trim()}`);
  }
}

/** A daemon of an interrupted earlier run (its pidfile is ours): stopped before starting anew. */
async function stopLeftover(): Promise<void> {
  const pidfile = `${RUN_DIR}/dockerd.pid`;
  if (!existsSync(pidfile)) return;
  const pid = Number(readFileSync(pidfile, "utf8").trim());
  const isOurs = (): boolean => commandLine(pid).join(" ").includes(RUN_DIR);
  if (Number.isInteger(pid) && pid > 0 && alive(pid) && isOurs()) {
    log(`stopping the dockerd an earlier run left (pid ${pid})`);
    await stopProcess(pid);
  }
  rmSync(pidfile, { force: true });
}

async function stopProcess(pid: number): Promise<void> {
  if (!alive(pid)) return;
  process.kill(pid, "SIGTERM");
  try {
    await waitFor(() => !alive(pid), {
      timeoutMs: 30_000,
      intervalMs: 200,
      what: "dockerd to stop",
    });
  } catch {
    process.kill(pid, "SIGKILL");
    await waitFor(() => !alive(pid), {
      timeoutMs: 10_000,
      intervalMs: 200,
      what: "dockerd to die",
    });
  }
}
