import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ROOT, composeCommand } from "./support/repo.js";
import { needs } from "../test-support/system-tools.js";

const UNITS = {
  receiver: "sparkbot-receiver.service",
  worker: "sparkbot-worker@.service",
} as const;

function unitText(service: keyof typeof UNITS): string {
  return readFileSync(join(ROOT, "deploy/systemd", UNITS[service]), "utf8");
}

const systemdAnalyze = needs("systemd-analyze");

describe("deploy/systemd units", () => {
  it("start the same entry points as docker-compose.yml", () => {
    for (const service of ["receiver", "worker"] as const) {
      const [, script] = composeCommand(service, "command");
      const execStart = unitText(service).match(/^ExecStart=(.*)$/m)?.[1];
      expect(execStart).toContain(`/usr/bin/node ${script}`);
    }
  });

  systemdAnalyze.it("pass systemd-analyze verify, without warnings", () => {
    const dir = mkdtempSync(join(tmpdir(), "sparkbot-systemd-"));
    try {
      for (const service of ["receiver", "worker"] as const) {
        // The template is verified as instance 1; node is wherever this machine has it.
        const name = UNITS[service].replace("@.service", "@1.service");
        writeFileSync(
          join(dir, name),
          unitText(service).replaceAll("/usr/bin/node", process.execPath),
        );
        const result = spawnSync(
          systemdAnalyze.path("systemd-analyze"),
          ["verify", join(dir, name)],
          {
            encoding: "utf8",
          },
        );
        expect(result.stderr).toBe("");
        expect(result.status).toBe(0);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
