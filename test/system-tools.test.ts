// scripts/system-tools.mjs: how a missing tool is found and said (the rule every test that
// needs a system program follows; see docs/TESTING.md).
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import {
  SYSTEM_TOOLS,
  ensureSystemTools,
  findCommand,
  toolStatus,
} from "../scripts/system-tools.mjs";

const saved = { PATH: process.env["PATH"], SPARKBOT_NO_APT: process.env["SPARKBOT_NO_APT"] };
const dirs: string[] = [];

afterEach(() => {
  for (const [name, value] of Object.entries(saved)) {
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  }
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** A PATH of one directory holding executables named `commands` (and, unless it is one of them, a `promtool` that is not executable). */
function pathWith(commands: string[]): string {
  const dir = mkdtempSync(join(tmpdir(), "sparkbot-tools-"));
  dirs.push(dir);
  for (const command of commands) {
    writeFileSync(join(dir, command), "#!/bin/sh\n");
    chmodSync(join(dir, command), 0o755);
  }
  if (!commands.includes("promtool")) writeFileSync(join(dir, "promtool"), "not executable\n");
  return dir;
}

describe("system tools", () => {
  it("finds an executable on PATH, and not a file that is not executable", () => {
    const dir = pathWith(["nginx"]);
    expect(findCommand("nginx", dir)).toBe(join(dir, "nginx"));
    expect(findCommand("promtool", dir)).toBeUndefined();
    expect(findCommand("nginx", "")).toBeUndefined();
  });

  it("counts a tool as missing when one of its commands is, and says what to install", () => {
    process.env["PATH"] = pathWith(["nginx"]); // openssl missing
    const nginx = toolStatus("nginx");
    expect(nginx).toMatchObject({ available: false, missing: ["openssl"] });
    expect(nginx.line).toBe(
      "openssl not installed (deploy/nginx/sparkbot.conf run for real): " +
        "apt-get install -y --no-install-recommends nginx openssl",
    );
    expect(toolStatus("chromium").install).toBe("apt-get install -y chromium");
  });

  it("with SPARKBOT_NO_APT, installs nothing and prints one line per missing tool", () => {
    process.env["PATH"] = pathWith([]);
    process.env["SPARKBOT_NO_APT"] = "1";
    const lines: string[] = [];
    const missing = ensureSystemTools((line) => lines.push(line));
    expect(missing.map((status) => status.name)).toEqual(SYSTEM_TOOLS.map((tool) => tool.name));
    expect(lines).toHaveLength(SYSTEM_TOOLS.length);
    expect(lines[1]).toBe(
      "promtool not installed (checking /metrics and docker/prometheus.yml): " +
        "apt-get install -y --no-install-recommends prometheus" +
        " — tests that need it are skipped (SPARKBOT_NO_APT is set)",
    );
  });

  it("says nothing when every tool is there", () => {
    process.env["PATH"] = pathWith(SYSTEM_TOOLS.flatMap((tool) => tool.commands));
    const lines: string[] = [];
    expect(ensureSystemTools((line) => lines.push(line))).toEqual([]);
    expect(lines).toEqual([]);
  });
});
