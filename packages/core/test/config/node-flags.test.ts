// The services' Node flags: one list, and the deployment files use it (sparkbot dev's use is
// checked on its running processes in test/e2e.test.ts).
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { SERVICE_NODE_FLAGS, serviceNodeFlags } from "../../src/config/node-flags.js";

const ROOT = fileURLToPath(new URL("../../../..", import.meta.url));
const read = (path: string): string => readFileSync(`${ROOT}/${path}`, "utf8");

describe("serviceNodeFlags", () => {
  it("gives the services' flags when NODE_OPTIONS is unset or sets others", () => {
    expect(serviceNodeFlags(undefined)).toEqual(["--max-semi-space-size=4"]);
    expect(serviceNodeFlags("--enable-source-maps")).toEqual(["--max-semi-space-size=4"]);
  });

  it("leaves out a flag NODE_OPTIONS already sets, in either spelling", () => {
    expect(serviceNodeFlags("--max-semi-space-size=16")).toEqual([]);
    expect(serviceNodeFlags("--inspect --max_semi_space_size=8")).toEqual([]);
  });
});

describe("the places that start the services", () => {
  const options = `NODE_OPTIONS=${SERVICE_NODE_FLAGS.join(" ")}`;

  it("the image sets them in NODE_OPTIONS", () => {
    expect(read("Dockerfile")).toContain(options);
  });

  it("both systemd units set them in NODE_OPTIONS (the environment file can override)", () => {
    for (const unit of ["sparkbot-receiver.service", "sparkbot-worker@.service"]) {
      const text = read(`deploy/systemd/${unit}`);
      expect(text, unit).toContain(`\nEnvironment=${options}\n`);
      expect(text.indexOf("EnvironmentFile="), unit).toBeGreaterThan(-1);
    }
  });
});
