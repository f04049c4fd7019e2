import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Ajv2019 } from "ajv/dist/2019.js";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { freePort } from "../packages/cli/src/lib/ports.js";
import { waitFor } from "../packages/testkit/src/index.js";
import {
  ROOT,
  composeCommand,
  composeCommands,
  composeSpecSchema,
  loadCompose,
} from "./support/repo.js";
import { needs } from "../test-support/system-tools.js";

const promtool = needs("promtool");
const redis = needs("redis-server");

/**
 * Which test runs each process docker-compose.yml starts (this file or e2e.test.ts). Written by
 * hand: the test below makes a new command or health check fail until it is listed here, i.e.
 * until someone says which test runs it.
 */
const RUN_BY_TESTS: Record<string, string> = {
  "receiver command": "e2e: `sparkbot dev` starts it; its /proc cmdline is compared",
  "receiver healthcheck": "e2e: run against the receiver",
  "worker command": "e2e: `sparkbot dev` starts it; its /proc cmdline is compared",
  "worker healthcheck": "e2e: run against the worker",
  "redis command": "this file: redis-server started with these arguments",
  "redis healthcheck": "this file: run against that redis-server",
  "prometheus command": "e2e: prometheus started with these flags",
  "prometheus healthcheck": "e2e: run against that prometheus",
  "emulator command": "this file: the built emulator started with these arguments",
  "emulator healthcheck": "this file: run against that emulator",
};

function compileSchema() {
  // The file names its draft as "http://json-schema.org/draft/2019-09/schema#" and labels
  // subschemas with the pre-2019 "id" keyword (annotations only); Ajv knows the draft by its
  // canonical https id and refuses "id", so both are adjusted.
  const schema = withoutIdKeywords(composeSpecSchema()) as Record<string, unknown>;
  schema["$schema"] = "https://json-schema.org/draft/2019-09/schema";
  const ajv = new Ajv2019({ allErrors: true, strict: false });
  // The spec's own string formats: duration ("15s", "1m30s"), and port/expose syntaxes.
  ajv.addFormat("duration", /^([+-]?\d+(\.\d+)?(ns|us|µs|ms|s|m|h))+$/);
  ajv.addFormat("ports", true);
  ajv.addFormat("expose", true);
  ajv.addFormat("subnet_ip_address", true);
  return ajv.compile(schema);
}

function withoutIdKeywords(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutIdKeywords);
  if (typeof value !== "object" || value === null) return value;
  const entries = Object.entries(value).filter(
    ([key, item]) => key !== "id" || typeof item !== "string",
  );
  return Object.fromEntries(entries.map(([key, item]) => [key, withoutIdKeywords(item)]));
}

describe("docker-compose.yml", () => {
  it("is valid under the Compose Specification JSON schema", () => {
    const validate = compileSchema();
    const valid = validate(loadCompose());
    expect(validate.errors ?? []).toEqual([]);
    expect(valid).toBe(true);
  });

  it("the schema check can fail: an unknown key and a bad duration are caught", () => {
    const validate = compileSchema();
    const compose = loadCompose();
    const broken = structuredClone(compose);
    (broken.services["worker"] as Record<string, unknown>)["replicas_typo"] = 4;
    expect(validate(broken)).toBe(false);
    const badDuration = structuredClone(compose);
    badDuration.services["worker"]!.stop_grace_period = "forty seconds";
    expect(validate(badDuration)).toBe(false);
  });

  it("lets workers scale: no container_name, no host ports, discovered by Prometheus", () => {
    const { services } = loadCompose();
    const worker = services["worker"]!;
    expect(worker.container_name).toBeUndefined();
    expect(worker.ports).toBeUndefined();
    const prometheus = parse(readFileSync(join(ROOT, "docker/prometheus.yml"), "utf8")) as {
      scrape_configs: { job_name: string; dns_sd_configs?: { names: string[]; port: number }[] }[];
    };
    const discovered = prometheus.scrape_configs.flatMap((job) => job.dns_sd_configs ?? []);
    expect(discovered).toContainEqual(expect.objectContaining({ names: ["worker"], port: 9464 }));
    expect(discovered).toContainEqual(expect.objectContaining({ names: ["receiver"], port: 8080 }));
    expect(worker.environment?.["WORKER_PORT"]).toBe("9464");
    expect(services["receiver"]!.environment?.["RECEIVER_PORT"]).toBe("8080");
  });

  it("lists every command and health check it runs in RUN_BY_TESTS, and no other", () => {
    const commands = composeCommands().map((c) => `${c.service} ${c.kind}`);
    expect(commands.sort()).toEqual(Object.keys(RUN_BY_TESTS).sort());
  });

  promtool.it("docker/prometheus.yml passes promtool check config", () => {
    const result = spawnSync(
      promtool.path("promtool"),
      ["check", "config", "docker/prometheus.yml"],
      {
        cwd: ROOT,
        encoding: "utf8",
      },
    );
    expect(result.stdout + result.stderr).toContain("SUCCESS");
    expect(result.status).toBe(0);
  });

  redis.it(
    "redis runs with persistence on, fsync always, noeviction, and its health check passes",
    async () => {
      const [binary, ...args] = composeCommand("redis", "command");
      const [checkBinary, ...checkArgs] = composeCommand("redis", "healthcheck");
      const port = await freePort();
      const dir = mkdtempSync(join(tmpdir(), "compose-redis-"));
      // On this host: a free port on loopback, a temporary directory (redis changes into --dir as
      // it reads it, so the value is replaced rather than overridden by a later one).
      const local: Record<string, string> = {
        "--port": String(port),
        "--bind": "127.0.0.1",
        "--dir": dir,
      };
      expect(Object.keys(local).every((flag) => args.includes(flag))).toBe(true);
      const hostArgs = args.map((arg, index) => local[args[index - 1]!] ?? arg);
      expect(binary).toBe("redis-server");
      const server = spawn(redis.path("redis-server"), hostArgs, { stdio: "ignore" });
      const cli = (...words: string[]) =>
        spawnSync(redis.path("redis-cli"), ["-p", String(port), ...words], {
          encoding: "utf8",
        }).stdout.trim();
      try {
        await waitFor(() => cli("ping") === "PONG", { timeoutMs: 10_000, what: "redis" });
        expect(cli("config", "get", "maxmemory-policy")).toBe("maxmemory-policy\nnoeviction");
        expect(cli("config", "get", "appendonly")).toBe("appendonly\nyes");
        // Every acknowledged job is on disk before Redis answers (the receiver's 202 relies on it).
        expect(cli("config", "get", "appendfsync")).toBe("appendfsync\nalways");
        // Explicit, so that any Redis image behaves the same (not the official image's default).
        expect(cli("config", "get", "protected-mode")).toBe("protected-mode\nno");
        expect(checkBinary).toBe("redis-cli");
        const check = spawnSync(redis.path("redis-cli"), ["-p", String(port), ...checkArgs], {
          encoding: "utf8",
        });
        expect(check.stdout.trim()).toBe("PONG");
        expect(check.status).toBe(0);
      } finally {
        server.kill("SIGKILL");
        await new Promise((resolve) => server.once("exit", resolve));
        rmSync(dir, { recursive: true, force: true });
      }
    },
  );

  it("the emulator runs with the local profile's token: seeded, the same after a restart, healthy", async () => {
    const [program, ...args] = composeCommand("emulator", "command");
    expect(program).toBe("node");
    const environment = loadCompose().services["emulator"]!.environment ?? {};
    const token = args[args.indexOf("--bot-token") + 1]!;
    const shared = loadCompose().services["worker"]!.environment?.["SPARKBOT_LOCAL_BOT_TOKEN"];
    expect(token).toBe(shared);
    // On this host it listens on loopback and a free port instead of 0.0.0.0:8900.
    const port = String(await freePort());
    // Compose fills `${VAR:-default}` in; with no variable set, the default.
    const hostArgs = args.map((arg, index) =>
      args[index - 1] === "--host"
        ? "127.0.0.1"
        : args[index - 1] === "--port"
          ? port
          : arg.replace(/\$\{[A-Z0-9_]+:-([^}]*)\}/g, "$1"),
    );
    const botIds: string[] = [];
    for (const run of [1, 2]) {
      const emulator = spawn(process.execPath, hostArgs, {
        cwd: ROOT,
        stdio: ["ignore", "pipe", "pipe"],
      });
      let output = "";
      emulator.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
      try {
        await waitFor(() => output.includes("seeded:"), {
          timeoutMs: 10_000,
          what: `emulator start ${run}`,
        });
        expect(output).toContain(
          "listening on http://127.0.0.1:8900 (chat page: http://127.0.0.1:8900/chat)",
        );
        const me = await fetch(`http://127.0.0.1:${port}/v1/people/me`, {
          headers: { authorization: `Bearer ${token}` },
        });
        expect(me.status).toBe(200);
        botIds.push(((await me.json()) as { id: string }).id);
        const [checkProgram, ...checkArgs] = composeCommand("emulator", "healthcheck");
        expect(checkProgram).toBe("node");
        const check = spawnSync(process.execPath, checkArgs, {
          cwd: ROOT,
          env: { ...process.env, ...environment, HEALTHCHECK_PORT: port },
          encoding: "utf8",
        });
        expect(check.stdout + check.stderr).toContain("healthy:");
        expect(check.status).toBe(0);
      } finally {
        emulator.kill("SIGTERM");
        await new Promise((resolve) => emulator.once("exit", resolve));
      }
    }
    expect(botIds[1]).toBe(botIds[0]);
  });
});

describe(".env.example", () => {
  const documented = [
    ...readFileSync(join(ROOT, ".env.example"), "utf8").matchAll(/^#?([A-Z][A-Z0-9_]*)=/gm),
  ].map((match) => match[1]);
  const read = [
    ...readFileSync(join(ROOT, "docker-compose.yml"), "utf8").matchAll(/\$\{([A-Z][A-Z0-9_]*)/g),
  ].map((match) => match[1]);

  it("documents every variable docker-compose.yml reads, and only those", () => {
    expect([...new Set(documented)].sort()).toEqual([...new Set(read)].sort());
  });

  it("every variable has a default in docker-compose.yml: no command fails for a missing one", () => {
    const required = [
      ...readFileSync(join(ROOT, "docker-compose.yml"), "utf8").matchAll(/\$\{[A-Z0-9_]+(:?\?)/g),
    ];
    expect(required).toEqual([]);
    const bare = [
      ...readFileSync(join(ROOT, "docker-compose.yml"), "utf8").matchAll(/\$\{([A-Z0-9_]+)\}/g),
    ];
    expect(bare.map((match) => match[1])).toEqual([]);
  });
});
