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
  onPath,
} from "./support/repo.js";

/** Where each process docker-compose.yml runs is run by a test (this file or e2e.test.ts). */
const RUN_BY_TESTS: Record<string, string> = {
  "receiver command": "e2e: `sparkbot dev` starts it; its /proc cmdline is compared",
  "receiver healthcheck": "e2e: run against the receiver",
  "worker command": "e2e: `sparkbot dev` starts it; its /proc cmdline is compared",
  "worker healthcheck": "e2e: run against the worker",
  "redis command": "this file: redis-server started with these arguments",
  "redis healthcheck": "this file: run against that redis-server",
  "prometheus command": "e2e: prometheus started with these flags",
  "prometheus healthcheck": "e2e: run against that prometheus",
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

  it("runs only commands that the tests run", () => {
    const commands = composeCommands().map((c) => `${c.service} ${c.kind}`);
    expect(commands.sort()).toEqual(Object.keys(RUN_BY_TESTS).sort());
  });

  it("docker/prometheus.yml passes promtool check config", () => {
    if (!onPath("promtool")) {
      console.warn("SKIPPED: promtool is not installed (apt-get install prometheus)");
      return;
    }
    const result = spawnSync("promtool", ["check", "config", "docker/prometheus.yml"], {
      cwd: ROOT,
      encoding: "utf8",
    });
    expect(result.stdout + result.stderr).toContain("SUCCESS");
    expect(result.status).toBe(0);
  });

  it("redis runs with persistence on and noeviction, and its health check passes", async () => {
    const [binary, ...args] = composeCommand("redis", "command");
    const [checkBinary, ...checkArgs] = composeCommand("redis", "healthcheck");
    const port = await freePort();
    const dir = mkdtempSync(join(tmpdir(), "compose-redis-"));
    const server = spawn(
      binary!,
      [...args, "--port", String(port), "--bind", "127.0.0.1", "--dir", dir],
      {
        stdio: "ignore",
      },
    );
    const cli = (...words: string[]) =>
      spawnSync("redis-cli", ["-p", String(port), ...words], { encoding: "utf8" }).stdout.trim();
    try {
      await waitFor(() => cli("ping") === "PONG", { timeoutMs: 10_000, what: "redis" });
      expect(cli("config", "get", "maxmemory-policy")).toBe("maxmemory-policy\nnoeviction");
      expect(cli("config", "get", "appendonly")).toBe("appendonly\nyes");
      const check = spawnSync(checkBinary!, ["-p", String(port), ...checkArgs], {
        encoding: "utf8",
      });
      expect(check.stdout.trim()).toBe("PONG");
      expect(check.status).toBe(0);
    } finally {
      server.kill("SIGKILL");
      await new Promise((resolve) => server.once("exit", resolve));
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("Dockerfile", () => {
  const dockerfile = readFileSync(join(ROOT, "Dockerfile"), "utf8");
  const lines = dockerfile.split("\n").filter((line) => !line.startsWith("#"));

  it("is multi-stage, every COPY --from names an earlier stage, and ends as a non-root user", () => {
    const stages = [...dockerfile.matchAll(/^FROM \S+ AS (\S+)$/gm)].map((match) => match[1]);
    expect(stages.length).toBeGreaterThanOrEqual(3);
    for (const match of dockerfile.matchAll(/--from=(\S+)/g)) {
      expect(stages).toContain(match[1]);
    }
    const lastFrom = lines.map((line) => line.startsWith("FROM ")).lastIndexOf(true);
    const finalStage = lines.slice(lastFrom);
    expect(finalStage.some((line) => /^USER (?!root)\S+/.test(line))).toBe(true);
    expect(finalStage.some((line) => line.startsWith("HEALTHCHECK "))).toBe(true);
  });

  it("installs the locked dependencies and keeps only production ones in the final image", () => {
    expect(dockerfile).toContain("pnpm install --frozen-lockfile");
    expect(dockerfile).toMatch(/pnpm install --frozen-lockfile --prod/);
    expect(dockerfile).toContain(`pnpm@${rootPnpmVersion()}`);
  });

  it("runs the same entry points as docker-compose.yml, and they exist once built", () => {
    for (const service of ["receiver", "worker"]) {
      const argv = composeCommand(service, "command");
      expect(argv[0]).toBe("node");
      const script = argv[1]!;
      const runtimeCopies = dockerfile.includes(`services/${service}`);
      expect(runtimeCopies).toBe(true);
      expect(script).toBe(`services/${service}/dist/main.js`);
    }
    expect(dockerfile).toContain('CMD ["node", "services/receiver/dist/main.js"]');
    expect(dockerfile).toContain('CMD ["node", "docker/healthcheck.mjs"]');
  });

  it("lets a bot mounted under /app/bots import @sparkbot/core", () => {
    expect(dockerfile).toContain("ln -sfn ../../packages/core node_modules/@sparkbot/core");
    expect(readFileSync(join(ROOT, "docker-compose.yml"), "utf8")).toContain("/app/bots/");
  });
});

function rootPnpmVersion(): string {
  const pkg = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as {
    packageManager: string;
  };
  return pkg.packageManager.split("@")[1]!;
}
