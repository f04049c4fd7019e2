// Every metric the services register is documented in the README's "## Metrics" table: the
// names are found in the sources, not listed by hand.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { sourceFiles } from "../test-support/source-files.js";

const ROOT = fileURLToPath(new URL("..", import.meta.url));

/** `name: "sparkbot_…"` in a metric's definition. */
function metricNames(): Set<string> {
  const names = new Set<string>();
  for (const file of sourceFiles(join(ROOT, "services"))) {
    for (const match of readFileSync(file, "utf8").matchAll(/\bname: "(sparkbot_[a-z_]+)"/g)) {
      names.add(match[1]!);
    }
  }
  return names;
}

/** The metric names in the first column of the README's metrics table. */
function documentedNames(): Set<string> {
  const readme = readFileSync(join(ROOT, "README.md"), "utf8");
  const start = readme.indexOf("\n## Metrics");
  const section = readme.slice(start, readme.indexOf("\n## ", start + 1));
  const names = new Set<string>();
  for (const line of section.split("\n").filter((l) => l.startsWith("| `sparkbot_"))) {
    const firstCell = line.split("|")[1] ?? "";
    for (const match of firstCell.matchAll(/`(sparkbot_[a-z_]+)/g)) names.add(match[1]!);
  }
  return names;
}

describe("metrics documentation", () => {
  it("finds the metrics the services define", () => {
    const names = metricNames();
    for (const name of ["sparkbot_receiver_requests_total", "sparkbot_room_turns_total"]) {
      expect(names.has(name), name).toBe(true);
    }
  });

  it("documents each metric in the README's metrics table", () => {
    const documented = documentedNames();
    expect([...metricNames()].filter((name) => !documented.has(name))).toEqual([]);
  });
});
