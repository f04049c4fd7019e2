#!/usr/bin/env node
// Brings a fresh clone to a runnable state with nothing but Node and npm: installs pnpm when it
// is missing, installs the workspace's dependencies from the lockfile and builds every package.
// With --system-tools (as `npm test` runs it) it then checks the system programs the tests need
// (scripts/system-tools.mjs): as root it installs the missing ones from Debian's packages
// (SPARKBOT_NO_APT=1 turns that off); otherwise it says which tests will be skipped and what to
// install. Each step is skipped when it has nothing to do, so running it before every command is
// cheap.
import { execFileSync, spawn, spawnSync } from "node:child_process";
import { createInterface } from "node:readline";
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { ensureSystemTools } from "./system-tools.mjs";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const pnpmVersion = JSON.parse(
  readFileSync(join(root, "package.json"), "utf8"),
).packageManager.split("@")[1];
const quiet = process.argv.includes("--quiet");

function log(line) {
  if (!quiet) process.stderr.write(`[setup] ${line}\n`);
}

function run(command, args) {
  const result = spawnSync(command, args, {
    cwd: root,
    stdio: ["ignore", "inherit", "inherit"],
    env: { ...process.env, CI: "true" },
  });
  if (result.status !== 0) {
    process.stderr.write(`[setup] failed: ${command} ${args.join(" ")}\n`);
    process.exit(result.status ?? 1);
  }
}

function havePnpm() {
  try {
    return execFileSync("pnpm", ["--version"], { encoding: "utf8" }).trim();
  } catch {
    return undefined;
  }
}

let version = havePnpm();
if (version === undefined) {
  log(`installing pnpm ${pnpmVersion} with npm`);
  run("npm", ["install", "--global", `pnpm@${pnpmVersion}`, "--no-fund", "--no-audit"]);
  version = havePnpm();
  if (version === undefined) {
    process.stderr.write(
      "[setup] pnpm is still not on PATH after `npm install -g pnpm`; add npm's global bin directory to PATH\n",
    );
    process.exit(1);
  }
}

const marker = join(root, "node_modules", ".modules.yaml");
const lockfile = join(root, "pnpm-lock.yaml");
if (!existsSync(marker) || statSync(lockfile).mtimeMs > statSync(marker).mtimeMs) {
  log("installing dependencies (pnpm install --frozen-lockfile)");
  run("pnpm", ["install", "--frozen-lockfile", "--reporter=append-only"]);
}

/** Newest modification time of the files under `path` (0 when it does not exist). */
function newest(path) {
  if (!existsSync(path)) return 0;
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  return readdirSync(path).reduce(
    (max, name) => Math.max(max, newest(join(path, name))),
    stat.mtimeMs,
  );
}

// Written after each successful build; sources newer than it mean the build is stale.
const buildStamp = join(root, "node_modules", ".sparkbot-build-stamp");

/** True when some package has no build yet, or its sources changed after the last build. */
function buildNeeded() {
  const stamp = newest(buildStamp);
  const packages = ["packages", "services", "examples"].flatMap((group) =>
    existsSync(join(root, group))
      ? readdirSync(join(root, group)).map((name) => join(root, group, name))
      : [],
  );
  packages.push(join(root, "bench"));
  return packages.some((dir) => {
    if (!existsSync(join(dir, "tsconfig.build.json"))) return false;
    if (!existsSync(join(dir, "dist"))) return true;
    const inputs = ["src", "package.json", "tsconfig.build.json"].map((name) =>
      newest(join(dir, name)),
    );
    return stamp === 0 || Math.max(...inputs, newest(join(root, "tsconfig.base.json"))) > stamp;
  });
}

/** `pnpm -r run build`, with one line as each package starts and is built. */
async function buildWithProgress() {
  const started = Date.now();
  const child = spawn("pnpm", ["-r", "--reporter=append-only", "run", "build"], {
    cwd: root,
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, CI: "true" },
  });
  let total = 0;
  let built = 0;
  const output = [];
  const lines = createInterface({ input: child.stdout });
  lines.on("line", (line) => {
    const scope = line.match(/^Scope: (\d+) of/);
    const done = line.match(/^(\S+) build: Done$/);
    if (scope !== null) total = Number(scope[1]);
    else if (done !== null) {
      built += 1;
      const seconds = Math.round((Date.now() - started) / 1000);
      log(`  built ${done[1]} (${built}/${total || "?"}, ${seconds} s)`);
    } else if (!/^\S+ build\$ /.test(line)) output.push(line);
  });
  child.stderr.on("data", (chunk) => output.push(chunk.toString()));
  const code = await new Promise((resolve) => child.once("close", resolve));
  if (code !== 0) {
    process.stderr.write(`${output.join("\n")}\n[setup] failed: pnpm -r run build\n`);
    process.exit(code ?? 1);
  }
}

if (!process.argv.includes("--no-build")) {
  if (buildNeeded()) {
    log("building packages (pnpm build; about a minute the first time)");
    await buildWithProgress();
    writeFileSync(buildStamp, `${new Date().toISOString()}\n`);
  } else {
    log("packages are built and up to date");
  }
}

if (process.argv.includes("--system-tools")) {
  ensureSystemTools((line) => process.stderr.write(`[setup] ${line}\n`));
}
