#!/usr/bin/env node
// The system programs the tests need beyond Node and npm, in one place: what each is for, which
// Debian package brings it, and how to find it. Used by scripts/setup.mjs (which `npm test`
// runs first: installs what is missing when it can), by .ci/run (`--require`: install, or fail)
// and by the tests themselves (test-support/system-tools.ts: a test whose tool is missing is
// reported as skipped, with the line naming what to install).
//
//   node scripts/system-tools.mjs            prints each tool's state
//   node scripts/system-tools.mjs --install  installs the missing ones (as root, from Debian)
//   node scripts/system-tools.mjs --require  the same, then exits 1 if one is still missing
//
// SPARKBOT_NO_APT=1 turns the installation off (the affected tests are then skipped).
import { spawnSync } from "node:child_process";
import { accessSync, constants, statSync } from "node:fs";
import { delimiter, join } from "node:path";
import { fileURLToPath } from "node:url";

/** Every system tool a test needs. `commands` must all be on PATH for the tool to count. */
export const SYSTEM_TOOLS = [
  {
    name: "redis-server",
    commands: ["redis-server", "redis-cli"],
    packages: ["redis-server"],
    neededFor: "a private Redis when none answers on REDIS_URL; docker-compose.yml's redis",
  },
  {
    name: "promtool",
    commands: ["promtool"],
    packages: ["prometheus"],
    neededFor: "checking /metrics and docker/prometheus.yml",
  },
  {
    name: "prometheus",
    commands: ["prometheus", "wget"],
    packages: ["prometheus", "wget"],
    neededFor: "scraping the services with docker-compose.yml's Prometheus and its health check",
  },
  {
    name: "nginx",
    commands: ["nginx", "openssl"],
    packages: ["nginx", "openssl"],
    neededFor: "deploy/nginx/sparkbot.conf run for real",
  },
  {
    name: "chromium",
    commands: ["chromium"],
    packages: ["chromium"],
    // With its recommended fonts, so that pages render real text.
    recommends: true,
    neededFor: "the chat page in a real browser",
  },
  {
    name: "systemd-analyze",
    commands: ["systemd-analyze"],
    packages: ["systemd"],
    neededFor: "verifying deploy/systemd's units",
  },
];

const OPT_OUT = "SPARKBOT_NO_APT";

/** The executable file `command` names on PATH, or undefined. */
export function findCommand(command, path = process.env["PATH"] ?? "") {
  for (const dir of path.split(delimiter)) {
    if (dir === "") continue;
    const candidate = join(dir, command);
    try {
      if (!statSync(candidate).isFile()) continue;
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return undefined;
}

/** The command that installs `tool` from Debian's packages. */
export function installCommand(tool) {
  const flags = tool.recommends === true ? "" : " --no-install-recommends";
  return `apt-get install -y${flags} ${tool.packages.join(" ")}`;
}

/** One tool's state: the path of each of its commands, and the ones missing. */
export function toolStatus(name) {
  const tool = SYSTEM_TOOLS.find((candidate) => candidate.name === name);
  if (tool === undefined) throw new Error(`unknown system tool: ${name}`);
  const paths = Object.fromEntries(tool.commands.map((command) => [command, findCommand(command)]));
  const missing = tool.commands.filter((command) => paths[command] === undefined);
  return {
    name: tool.name,
    available: missing.length === 0,
    paths,
    missing,
    neededFor: tool.neededFor,
    install: installCommand(tool),
    /** The one line that says what is missing and what to install. */
    line: `${missing.join(" and ")} not installed (${tool.neededFor}): ${installCommand(tool)}`,
  };
}

/** Every tool that is missing a command. */
export function missingTools() {
  return SYSTEM_TOOLS.map((tool) => toolStatus(tool.name)).filter((status) => !status.available);
}

function isRoot() {
  return typeof process.getuid === "function" && process.getuid() === 0;
}

function aptGet(args, log) {
  const result = spawnSync("apt-get", args, {
    stdio: ["ignore", "ignore", "pipe"],
    env: { ...process.env, DEBIAN_FRONTEND: "noninteractive" },
    encoding: "utf8",
  });
  if (result.status !== 0) {
    log(`apt-get ${args.join(" ")} failed: ${(result.stderr ?? "").trim().split("\n").pop()}`);
    return false;
  }
  return true;
}

/**
 * Installs the missing tools from Debian's packages when this runs as root with apt-get and
 * SPARKBOT_NO_APT is not set; otherwise says, one line per tool, which tests will be skipped and
 * what to install. Returns the tools still missing.
 */
export function ensureSystemTools(log = (line) => process.stderr.write(`${line}\n`)) {
  let missing = missingTools();
  if (missing.length === 0) return [];
  const optedOut = process.env[OPT_OUT] !== undefined && process.env[OPT_OUT] !== "0";
  const canInstall = !optedOut && isRoot() && findCommand("apt-get") !== undefined;
  if (canInstall) {
    const names = missing.map((status) => status.name).join(", ");
    log(`installing ${names} from Debian's packages (apt-get; ${OPT_OUT}=1 turns this off)`);
    if (aptGet(["update", "-qq"], log)) {
      for (const status of missing) {
        const tool = SYSTEM_TOOLS.find((candidate) => candidate.name === status.name);
        log(`  ${installCommand(tool)}`);
        const flags = tool.recommends === true ? [] : ["--no-install-recommends"];
        aptGet(["install", "-y", "-qq", ...flags, ...tool.packages], log);
      }
    }
    missing = missingTools();
  }
  const why = optedOut
    ? `${OPT_OUT} is set`
    : !isRoot()
      ? "not root"
      : canInstall
        ? "apt-get did not bring it"
        : "no apt-get";
  for (const status of missing) log(`${status.line} — tests that need it are skipped (${why})`);
  return missing;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2);
  const log = (line) => process.stderr.write(`[system-tools] ${line}\n`);
  if (args.includes("--install") || args.includes("--require")) {
    const missing = ensureSystemTools(log);
    if (args.includes("--require") && missing.length > 0) process.exit(1);
  } else {
    for (const tool of SYSTEM_TOOLS) {
      const status = toolStatus(tool.name);
      const found = Object.values(status.paths).filter((path) => path !== undefined);
      process.stdout.write(
        status.available
          ? `ok       ${tool.name}: ${found.join(", ")}\n`
          : `missing  ${status.line}\n`,
      );
    }
  }
}
