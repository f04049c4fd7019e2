import { existsSync, rmSync, writeFileSync } from "node:fs";
import { onPath } from "../../support/repo.js";
import { run } from "../../support/processes.js";

/** Where the compose test keeps what outlives one run: dockerd's data, Debian packages. */
export const STATE_DIR =
  process.env["SPARKBOT_COMPOSE_STATE_DIR"] ?? "/var/lib/sparkbot-compose-test";

/** A progress line on stderr (the test takes minutes; each step says what it does). */
export function log(line: string): void {
  process.stderr.write(`[compose-test] ${line}\n`);
}

/** True when this process runs as root. */
export function isRoot(): boolean {
  return process.getuid?.() === 0;
}

/** The Debian packages the test needs and what on PATH tells that each is there. */
function missingPackages(): string[] {
  const missing: string[] = [];
  if (!onPath("dockerd") && !existsSync("/var/run/docker.sock")) missing.push("docker.io");
  if (!onPath("docker-compose") && !composePluginPresent()) missing.push("docker-compose");
  if (!onPath("debootstrap")) missing.push("debootstrap");
  if (!onPath("iptables-save")) missing.push("iptables");
  return missing;
}

function composePluginPresent(): boolean {
  return ["/usr/libexec/docker/cli-plugins", "/usr/lib/docker/cli-plugins"].some((dir) =>
    existsSync(`${dir}/docker-compose`),
  );
}

/**
 * Installs what the machine lacks (docker.io, docker-compose, debootstrap) from Debian's
 * packages. No service is started by the install: while it runs, a policy-rc.d refuses every
 * start (Debian's way; an image like this one already has such a file, then it is left alone).
 * Throws with what to do when something is missing and cannot be installed here.
 */
export async function ensureHostPackages(): Promise<void> {
  const missing = missingPackages();
  if (missing.length === 0) return;
  if (!isRoot() || !onPath("apt-get")) {
    throw new Error(
      `the compose test needs ${missing.join(", ")}: install them (Debian: apt-get install ` +
        `${missing.join(" ")}), or run it as root on Debian, where it installs them itself`,
    );
  }
  log(`installing ${missing.join(", ")} from Debian's packages`);
  const policy = "/usr/sbin/policy-rc.d";
  const ownPolicy = !existsSync(policy);
  if (ownPolicy)
    writeFileSync(policy, "#!/bin/sh\n# sparkbot compose test: no service starts\nexit 101\n", {
      mode: 0o755,
    });
  try {
    const env = { ...process.env, DEBIAN_FRONTEND: "noninteractive" };
    const update = await run("apt-get", ["update", "-qq"], { env, timeoutMs: 300_000 });
    if (update.code !== 0) throw new Error(`apt-get update failed: ${update.stderr.trim()}`);
    const install = await run(
      "apt-get",
      ["install", "-y", "-qq", "--no-install-recommends", ...missing],
      { env, timeoutMs: 600_000 },
    );
    if (install.code !== 0) {
      throw new Error(`apt-get install ${missing.join(" ")} failed: ${install.stderr.trim()}`);
    }
  } finally {
    if (ownPolicy) rmSync(policy, { force: true });
  }
  const still = missingPackages();
  if (still.length > 0) throw new Error(`still missing after apt-get install: ${still.join(", ")}`);
}
