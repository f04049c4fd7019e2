// Every environment variable the code reads is shown by `sparkbot config check` and documented
// in the README's configuration table: found in the sources, not listed by hand.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { sourceFiles } from "../../../test-support/source-files.js";
import { VARIABLES } from "../src/commands/config-check.js";

const ROOT = fileURLToPath(new URL("../../..", import.meta.url));
const SOURCES = ["packages/core/src", "packages/cli/src", "services", "examples"];
/** Read from the environment, but not configuration. */
const NOT_CONFIGURATION = new Set(["PATH", "NODE_ENV"]);

/** The variable names a source file reads: `env["X"]`, `env.X`, `readInt(env, "X"`, … */
function variablesRead(text: string): string[] {
  const patterns = [
    /\benv\[\s*"([A-Z][A-Z0-9_]+)"\s*\]/g,
    /\benv\.([A-Z][A-Z0-9_]+)\b/g,
    /\bread(?:Int|String|Bool|Url|Choice)\(\s*env,\s*"([A-Z][A-Z0-9_]+)"/g,
    /\benvValue\(\s*"([A-Z][A-Z0-9_]+)"\s*\)/g,
  ];
  const names = patterns.flatMap((pattern) => [...text.matchAll(pattern)].map((m) => m[1]!));
  for (const list of text.matchAll(/\brequireString\(\s*env,\s*\[([^\]]*)\]/g)) {
    names.push(...[...list[1]!.matchAll(/"([A-Z][A-Z0-9_]+)"/g)].map((m) => m[1]!));
  }
  return names.filter((name) => !NOT_CONFIGURATION.has(name));
}

describe("configuration variables", () => {
  const read = new Map<string, string>();
  for (const file of SOURCES.flatMap((dir) => sourceFiles(join(ROOT, dir)))) {
    for (const name of variablesRead(readFileSync(file, "utf8"))) {
      read.set(name, file.slice(ROOT.length));
    }
  }

  it("finds the variables the services read", () => {
    for (const name of ["WEBEX_ACCESS_TOKEN", "WORKER_LOCK_DURATION_MS", "SLOW_COMMAND_MS"]) {
      expect(read.has(name), name).toBe(true);
    }
  });

  it("shows each in sparkbot config check", () => {
    const shown = new Set(VARIABLES.map((variable) => variable.name));
    const missing = [...read].filter(([name]) => !shown.has(name));
    expect(missing, "read in [variable, file] but not in config check's VARIABLES").toEqual([]);
  });

  it("documents each in the README's configuration table", () => {
    const readme = readFileSync(join(ROOT, "README.md"), "utf8");
    const section = readme.slice(readme.indexOf("## Configuration"));
    const table = section
      .slice(0, section.indexOf("\n## ", 1))
      .split("\n")
      .filter((line) => line.startsWith("|"))
      .join("\n");
    const documented = new Set([...read.keys(), ...VARIABLES.map((variable) => variable.name)]);
    const missing = [...documented].filter((name) => !table.includes(`\`${name}\``));
    expect(missing, "not in the README's configuration table").toEqual([]);
  });
});
