import { spawn } from "node:child_process";
import { once } from "node:events";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const CLI = fileURLToPath(new URL("../dist/cli.js", import.meta.url));

describe("sparkbot-emulator (built dist/cli.js)", () => {
  it("prints one line with its URL and serves the catalog there", async () => {
    const child = spawn(process.execPath, [CLI, "--port", "0"], {
      stdio: ["ignore", "pipe", "pipe"],
    });
    try {
      const [chunk] = (await Promise.race([
        once(child.stdout, "data"),
        new Promise((_, reject) => setTimeout(() => reject(new Error("no output")), 10_000)),
      ])) as [Buffer];
      const url = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(chunk.toString())?.[1];
      expect(url).toBeDefined();
      const answer = await fetch(`${url}/u2c/limited/catalog`);
      expect(await answer.json()).toEqual({
        serviceLinks: { hydra: `${url}/v1` },
        hostCatalog: {},
      });
    } finally {
      child.kill("SIGTERM");
      await once(child, "exit");
    }
  });

  it("refuses a bad port with a clear line", async () => {
    const child = spawn(process.execPath, [CLI, "--port", "nope"], {
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stderr = "";
    child.stderr.on("data", (c: Buffer) => (stderr += c.toString()));
    const [code] = (await once(child, "exit")) as [number];
    expect(code).toBe(2);
    expect(stderr).toMatch(/--port must be a port number/);
  });
});
