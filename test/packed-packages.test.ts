// The packages as a bot author gets them: packed with `pnpm pack`, installed into a project
// outside the workspace (made by `sparkbot new`), unit-tested there with the harness, and run
// with the installed services against the installed emulator. Needs `pnpm build` (it packs
// dist/), pnpm and the registry (dependencies come from pnpm's store when it has them).
import {
  existsSync,
  mkdtempSync,
  readFileSync,
  realpathSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  TEST_REDIS_URL,
  deletePrefix,
  uniquePrefix,
  waitFor,
} from "../packages/testkit/src/index.js";
import {
  PUBLISHED,
  exportTargets,
  packAll,
  tarballFiles,
  tarballManifest,
  workspaceManifest,
} from "./support/packing.js";
import { alive, commandLine, run, start, stop, type Running } from "./support/processes.js";
import { ROOT } from "./support/repo.js";

const CLI = join(ROOT, "packages/cli/dist/bin.js");

describe("the packed packages, installed outside the workspace", () => {
  let dir: string;
  let tarballs: Map<string, string>;

  beforeAll(async () => {
    for (const folder of PUBLISHED) {
      if (!existsSync(join(ROOT, folder, "dist"))) throw new Error(`${folder} is not built`);
    }
    dir = realpathSync(mkdtempSync(join(tmpdir(), "sparkbot-packed-")));
    expect(relative(ROOT, dir).startsWith("..")).toBe(true);
    tarballs = await packAll(join(dir, "tarballs"));
  }, 120_000);

  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("each tarball has its built code, types, bins, LICENSE and README, and no workspace paths", () => {
    for (const folder of PUBLISHED) {
      const workspace = workspaceManifest(folder);
      const tarball = tarballs.get(workspace.name)!;
      const files = new Set(tarballFiles(tarball));
      const manifest = tarballManifest(tarball);
      const where = `${workspace.name} (${folder})`;
      expect(manifest.version, where).toMatch(/^\d+\.\d+\.\d+/);
      expect(manifest.private, where).toBe(false);
      expect(manifest.license, where).toBe("MIT");
      for (const file of ["LICENSE", "README.md", "package.json"]) {
        expect(files.has(file), `${where}: ${file}`).toBe(true);
      }
      expect(
        [...files].some((file) => file.endsWith(".tsbuildinfo")),
        where,
      ).toBe(false);
      expect(
        [...files].some((file) => file.startsWith("test/")),
        where,
      ).toBe(false);
      // The published exports are the workspace's without the "source" condition.
      const targets = exportTargets(manifest.exports);
      expect(targets.length, where).toBeGreaterThan(0);
      expect(
        targets.filter((t) => t.conditions.includes("source")),
        where,
      ).toEqual([]);
      const workspaceTargets = exportTargets(workspace.exports).filter(
        (t) => !t.conditions.includes("source"),
      );
      expect(targets, where).toEqual(workspaceTargets);
      for (const path of [
        ...targets.map((t) => t.target),
        manifest.main,
        manifest.types,
        ...Object.values(manifest.bin ?? {}),
      ]) {
        if (path !== undefined)
          expect(files.has(path.replace(/^\.\//, "")), `${where}: ${path}`).toBe(true);
      }
      for (const target of targets.filter((t) => t.conditions.includes("import"))) {
        const types = target.target.replace(/\.js$/, ".d.ts");
        expect(files.has(types.replace(/^\.\//, "")), `${where}: ${types}`).toBe(true);
      }
      // Dependencies name published versions, never the workspace or unpublished packages.
      for (const [name, range] of Object.entries(manifest.dependencies ?? {})) {
        expect(range, `${where} → ${name}`).not.toMatch(/^(workspace|link|file):/);
        if (name.startsWith("@sparkbot/"))
          expect(tarballs.has(name), `${where} → ${name}`).toBe(true);
      }
    }
  });

  it("sparkbot new makes a project that installs them, passes its tests and answers through dev and say", async () => {
    const created = await run(process.execPath, [CLI, "new", "my-bot"], { cwd: dir });
    expect(created.stderr).toBe("");
    expect(created.stdout).toContain(
      "a project of its own, depending on the published @sparkbot packages",
    );
    const project = join(dir, "my-bot");
    useTarballs(project, tarballs);

    const { FORCE_COLOR: _color, ...inherited } = process.env;
    const env = { ...inherited, CI: "true", NO_COLOR: "1" };
    const install = await run("pnpm", ["install", "--prefer-offline", "--reporter=append-only"], {
      cwd: project,
      env,
      timeoutMs: 300_000,
    });
    expect(install.code, install.stdout + install.stderr).toBe(0);
    expect(realpathSync(join(project, "node_modules/@sparkbot/core"))).toContain(
      join(project, "node_modules/.pnpm"),
    );

    const unit = await run("pnpm", ["test"], { cwd: project, env, timeoutMs: 120_000 });
    expect(unit.code, unit.stdout + unit.stderr).toBe(0);
    expect(unit.stdout).toMatch(/Tests\s+5 passed/);
    const types = await run("pnpm", ["run", "typecheck"], {
      cwd: project,
      env,
      timeoutMs: 120_000,
    });
    expect(types.code, types.stdout + types.stderr).toBe(0);

    await runDevAndSay(project);
  }, 600_000);
});

/**
 * Points the project's @sparkbot dependencies at the tarballs, as the registry would serve them:
 * each package's own @sparkbot dependencies too (pnpm overrides), so nothing comes from the
 * workspace or the registry under those names.
 */
function useTarballs(project: string, tarballs: Map<string, string>): void {
  const path = join(project, "package.json");
  const manifest = JSON.parse(readFileSync(path, "utf8")) as {
    dependencies: Record<string, string>;
    devDependencies: Record<string, string>;
    pnpm?: Record<string, unknown>;
  };
  const file = (name: string) => `file:${tarballs.get(name)}`;
  for (const group of [manifest.dependencies, manifest.devDependencies]) {
    for (const name of Object.keys(group)) if (tarballs.has(name)) group[name] = file(name);
  }
  manifest.pnpm = {
    overrides: Object.fromEntries([...tarballs.keys()].map((name) => [name, file(name)])),
    onlyBuiltDependencies: ["esbuild"],
  };
  writeFileSync(path, `${JSON.stringify(manifest, null, 2)}\n`);
}

/** `npm run dev` of the project (its own sparkbot bin), then `sparkbot say` to its bot. */
async function runDevAndSay(project: string): Promise<void> {
  const prefix = uniquePrefix("packed");
  const sessionPath = join(project, ".sparkbot/dev.json");
  const env = {
    ...process.env,
    REDIS_URL: TEST_REDIS_URL,
    REDIS_PREFIX: prefix,
    LOG_LEVEL: "warn",
  };
  const ports = ["--emulator-port", "0", "--receiver-port", "0", "--worker-port", "0"];
  const sparkbot = join(project, "node_modules/.bin/sparkbot");
  let dev: Running | undefined;
  try {
    dev = start(sparkbot, ["dev", "--bot", "src/bot.ts", ...ports], { cwd: project, env });
    const running = dev;
    await waitFor(
      () => {
        if (running.process.exitCode !== null) throw new Error(`dev exited:\n${running.output()}`);
        return running.output().includes("SparkBot is ready.");
      },
      { timeoutMs: 90_000, intervalMs: 200, what: "sparkbot dev to be ready" },
    ).catch((error: unknown) => {
      throw new Error(`${String(error)}\n${running.output()}`);
    });
    expect(dev.output()).toContain(`Bot:      ${join(project, "src/bot.ts")}`);
    // Every service runs from the project's node_modules, none from the workspace.
    const session = JSON.parse(readFileSync(sessionPath, "utf8")) as {
      pids: Record<string, number>;
    };
    for (const [name, pid] of Object.entries(session.pids)) {
      if (name === "redis") continue;
      // node [flags] <script> [args]: the first argument that is not a Node flag.
      const script = realpathSync(
        commandLine(pid)
          .slice(1)
          .find((arg) => !arg.startsWith("--"))!,
      );
      expect(script, name).toContain(join(project, "node_modules/.pnpm"));
    }

    const say = (...args: string[]) => run(sparkbot, ["say", ...args], { cwd: project, env });
    const echo = await say('echo "hello there" friend');
    expect(echo, echo.stderr).toMatchObject({
      code: 0,
      stdout: "hello there friend\n",
      stderr: "",
    });
    const progress = await say("--room", "group", "progress");
    expect(progress, progress.stderr).toMatchObject({
      code: 0,
      stdout: "working on it\n**done**\n",
      stderr: "",
    });

    process.kill(dev.process.pid!, "SIGINT");
    expect(await dev.exited).toBe(0);
    expect(Object.values(session.pids).filter(alive)).toEqual([]);
  } finally {
    await stop(dev, 15_000);
    await deletePrefix(prefix);
  }
}
