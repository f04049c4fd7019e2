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
        new Promise((_, reject) => setTimeout(() => reject(new Error("no output")), 30_000)),
      ])) as [Buffer];
      const url = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(chunk.toString())?.[1];
      expect(url).toBeDefined();
      const answer = await fetch(`${url}/u2c/limited/catalog`);
      expect(await answer.json()).toMatchObject({
        serviceLinks: { hydra: `${url}/v1`, wdm: `${url}/wdm/api/v1` },
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

  it("--host 0.0.0.0 --bot-token: says where it is reachable and what it seeded", async () => {
    const child = spawn(
      process.execPath,
      [CLI, "--host", "0.0.0.0", "--port", "0", "--bot-token", "cli-bot-token"],
      { stdio: ["ignore", "pipe", "pipe"] },
    );
    let output = "";
    child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
    try {
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no seed line: ${output}`)), 30_000);
        child.stdout.on("data", () => {
          if (output.includes("seeded:")) {
            clearTimeout(timer);
            resolve();
          }
        });
      });
      // Not http://0.0.0.0:…: the addresses it can be reached at, loopback among them.
      expect(output).not.toContain("http://0.0.0.0");
      const port = /127\.0\.0\.1:(\d+)/.exec(output)?.[1];
      expect(port).toBeDefined();
      expect(output).toMatch(
        /seeded: bot SparkBot \S+, user Dev User \S+, direct room \S+, group room \S+/,
      );
      const me = await fetch(`http://127.0.0.1:${port}/v1/people/me`, {
        headers: { authorization: "Bearer cli-bot-token" },
      });
      expect(me.status).toBe(200);
    } finally {
      child.kill("SIGTERM");
      await once(child, "exit");
    }
  });

  it("refuses a --bot-token with characters a shell would mangle", async () => {
    const child = spawn(process.execPath, [CLI, "--bot-token", "a b'c"], {
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stderr = "";
    child.stderr.on("data", (c: Buffer) => (stderr += c.toString()));
    const [code] = (await once(child, "exit")) as [number];
    expect(code).toBe(2);
    expect(stderr).toMatch(/--bot-token may hold only letters, digits/);
  });
});
