import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { ESLint } from "eslint";
import * as prettier from "prettier";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { NewProjectError, runNew } from "../src/commands/new.js";

const ROOT = fileURLToPath(new URL("../../..", import.meta.url));
const CLI_VERSION = (
  JSON.parse(readFileSync(join(ROOT, "packages/cli/package.json"), "utf8")) as { version: string }
).version;

interface Manifest {
  name: string;
  scripts: Record<string, string>;
  dependencies: Record<string, string>;
  devDependencies?: Record<string, string>;
}

describe("sparkbot new", () => {
  let dir: string;
  const read = (path: string) => readFileSync(path, "utf8");
  const manifest = (project: string) => JSON.parse(read(join(project, "package.json"))) as Manifest;

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), "sparkbot-new-"));
  });

  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("outside the repository: ./<name>, depending on the published packages of its version", () => {
    const lines: string[] = [];
    const project = runNew({
      name: "my-bot",
      cwd: dir,
      workspaceRoot: undefined,
      write: (line) => lines.push(line),
    });
    expect(project).toMatchObject({ kind: "standalone", directory: join(dir, "my-bot") });
    const files = ["package.json", "README.md", "src/bot.ts", "test/bot.test.ts", "tsconfig.json"];
    for (const file of [...files, ".gitignore"]) {
      expect(existsSync(join(dir, "my-bot", file)), file).toBe(true);
    }
    const pkg = manifest(join(dir, "my-bot"));
    expect(pkg.dependencies).toEqual({ "@sparkbot/core": `^${CLI_VERSION}` });
    expect(pkg.devDependencies?.["@sparkbot/cli"]).toBe(`^${CLI_VERSION}`);
    expect(Object.keys(pkg.devDependencies ?? {}).sort()).toEqual(
      ["@sparkbot/cli", "@types/node", "typescript", "vitest"].sort(),
    );
    expect(pkg.scripts).toMatchObject({
      dev: "sparkbot dev --bot src/bot.ts",
      test: "vitest run",
    });
    expect(lines).toContain("  npm install");
    expect(read(join(dir, "my-bot/test/bot.test.ts"))).toContain(
      'import { createTestChat } from "@sparkbot/core/testing";',
    );
  });

  it("inside the repository: the workspace package bots/<name>, from any folder of it", () => {
    const workspace = join(dir, "workspace");
    mkdirSync(join(workspace, "docs/deep"), { recursive: true });
    const project = runNew({
      name: "@me/helper-bot",
      cwd: join(workspace, "docs/deep"),
      workspaceRoot: workspace,
      install: false,
      write: () => undefined,
    });
    expect(project).toMatchObject({
      kind: "workspace",
      directory: join(workspace, "bots/helper-bot"),
    });
    const pkg = manifest(project.directory);
    expect(pkg.name).toBe("@me/helper-bot");
    expect(pkg.dependencies).toEqual({ "@sparkbot/core": "workspace:*" });
    expect(pkg.scripts["dev"]).toBe("cd ../.. && npm run dev -- --bot bots/helper-bot/src/bot.ts");
    expect(existsSync(join(project.directory, ".gitignore"))).toBe(false);
    expect(read(join(project.directory, "tsconfig.json"))).toContain(
      '"extends": "../../tsconfig.base.json"',
    );
  });

  it("a workspace bot passes the repository's lint, typecheck and its own tests as created", async () => {
    // A copy of the repository's layout around the new bot: its base tsconfig, its tools, and
    // the link `pnpm install` makes from the bot to the workspace's core.
    const workspace = join(dir, "lint-workspace");
    mkdirSync(workspace);
    symlinkSync(join(ROOT, "tsconfig.base.json"), join(workspace, "tsconfig.base.json"));
    symlinkSync(join(ROOT, "node_modules"), join(workspace, "node_modules"));
    const project = runNew({
      name: "checked-bot",
      cwd: workspace,
      workspaceRoot: workspace,
      install: false,
      write: () => undefined,
    });
    mkdirSync(join(project.directory, "node_modules/@sparkbot"), { recursive: true });
    symlinkSync(
      join(ROOT, "packages/core"),
      join(project.directory, "node_modules/@sparkbot/core"),
    );

    const eslint = new ESLint({ cwd: ROOT });
    const prettierConfig = await prettier.resolveConfig(join(ROOT, "package.json"));
    for (const file of project.files.filter((path) => /\.(ts|json)$/.test(path))) {
      const text = read(join(project.directory, file));
      const asIfInRepo = join(ROOT, "bots/checked-bot", file);
      const formatted = await prettier.format(text, { ...prettierConfig, filepath: asIfInRepo });
      expect(formatted, `${file} is formatted`).toBe(text);
      if (!file.endsWith(".ts")) continue;
      const [result] = await eslint.lintText(text, { filePath: asIfInRepo });
      expect(result?.messages, `${file} lints clean`).toEqual([]);
    }

    const tsc = join(ROOT, "node_modules/.bin/tsc");
    const typecheck = spawnSync(tsc, ["-p", "tsconfig.json"], {
      cwd: project.directory,
      encoding: "utf8",
      timeout: 120_000,
    });
    expect(typecheck.status, typecheck.stdout + typecheck.stderr).toBe(0);
    const vitest = join(ROOT, "node_modules/.bin/vitest");
    const { FORCE_COLOR: _color, ...env } = process.env;
    const tests = spawnSync(vitest, ["run"], {
      cwd: project.directory,
      encoding: "utf8",
      timeout: 120_000,
      env: { ...env, NO_COLOR: "1" },
    });
    expect(tests.status, tests.stdout + tests.stderr).toBe(0);
    expect(tests.stdout).toMatch(/Tests\s+5 passed/);
  }, 180_000);

  it("refuses a name that is not a package name, and a folder that exists", () => {
    const options = { cwd: dir, workspaceRoot: undefined, write: () => undefined };
    expect(() => runNew({ ...options, name: "My Bot" })).toThrow(NewProjectError);
    expect(() => runNew({ ...options, name: "My Bot" })).toThrow(/is not a package name/);
    expect(() => runNew({ ...options, name: "my-bot" })).toThrow(/already exists/);
  });
});
