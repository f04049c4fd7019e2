import { execFileSync } from "node:child_process";
import { existsSync, readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import dockerignore from "@balena/dockerignore";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { ROOT, composeCommand, loadCompose } from "./support/repo.js";

// test/compose-stack/ builds and runs the image for real (`npm run test:compose`); these checks
// need no docker and keep the Dockerfile's promises that a build alone would not show.

const dockerfile = readFileSync(join(ROOT, "Dockerfile"), "utf8");
const lines = dockerfile.split("\n").filter((line) => !line.startsWith("#"));

/** The workspace's package directories (pnpm-workspace.yaml's globs, one level deep). */
function workspacePackages(): string[] {
  const workspace = parse(readFileSync(join(ROOT, "pnpm-workspace.yaml"), "utf8")) as {
    packages: string[];
  };
  return workspace.packages
    .flatMap((glob) =>
      glob.endsWith("/*")
        ? existsSync(join(ROOT, glob.slice(0, -2)))
          ? readdirSync(join(ROOT, glob.slice(0, -2))).map((name) => `${glob.slice(0, -2)}/${name}`)
          : [] // bots/: made by `sparkbot new`, none committed
        : [glob],
    )
    .filter((dir) => existsSync(join(ROOT, dir, "package.json")))
    .sort();
}

describe("Dockerfile", () => {
  it("builds with Compose v1 and v2, with or without BuildKit: no frontend image, no RUN --mount", () => {
    expect(dockerfile).not.toMatch(/^#\s*syntax\s*=/im);
    expect(dockerfile).not.toMatch(/--mount=/);
    expect(dockerfile).not.toMatch(/^RUN --(?!mount)/m);
  });

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

  it("fetches by the lockfile alone, then installs from every manifest, before any source", () => {
    const copies = [...dockerfile.matchAll(/^COPY (\S+)/gm)].map((match) => match[1]);
    const firstSources = copies.indexOf(".");
    expect(copies[0]).toBe("pnpm-lock.yaml");
    const manifests = copies
      .slice(0, firstSources)
      .filter((path): path is string => path !== undefined && path.endsWith("/package.json"))
      .map((path) => path.replace(/\/package\.json$/, ""))
      .sort();
    expect(manifests).toEqual(workspacePackages());
    const fetchAt = dockerfile.indexOf("pnpm fetch");
    expect(fetchAt).toBeGreaterThan(dockerfile.indexOf("COPY pnpm-lock.yaml"));
    expect(fetchAt).toBeLessThan(dockerfile.indexOf("COPY package.json"));
    expect(dockerfile.indexOf("COPY . .")).toBeGreaterThan(dockerfile.indexOf("pnpm install"));
  });

  it("installs the locked dependencies, and only production ones for the final image", () => {
    expect(dockerfile).toMatch(/pnpm install --frozen-lockfile --offline --store-dir/);
    expect(dockerfile).toMatch(/pnpm install --frozen-lockfile --offline --prod/);
    expect(dockerfile).toContain(`pnpm@${rootPnpmVersion()}`);
  });

  it("runs the same entry points as docker-compose.yml", () => {
    for (const service of ["receiver", "worker", "emulator"]) {
      const [program, script] = composeCommand(service, "command");
      expect(program).toBe("node");
      const dist = script!.replace(/\/[^/]+\.js$/, "");
      expect(dockerfile).toContain(dist);
    }
    expect(dockerfile).toContain('CMD ["node", "services/receiver/dist/main.js"]');
    expect(dockerfile).toContain('CMD ["node", "docker/healthcheck.mjs"]');
  });

  it("lets a bot mounted under /app/bots import @sparkbot/core", () => {
    expect(dockerfile).toContain("ln -sfn ../../packages/core node_modules/@sparkbot/core");
    expect(readFileSync(join(ROOT, "docker-compose.yml"), "utf8")).toContain("/app/bots/");
  });

  it("takes NODE_IMAGE and EXTRA_CA_CERT as build arguments, which docker-compose.yml passes", () => {
    expect(dockerfile).toMatch(/^ARG NODE_IMAGE=node:20-bookworm-slim$/m);
    expect(dockerfile).toMatch(/^ARG EXTRA_CA_CERT=""$/m);
    expect(dockerfile).toContain("NODE_EXTRA_CA_CERTS=/etc/sparkbot/extra-ca.pem");
    for (const service of ["receiver", "worker", "emulator"]) {
      const build = loadCompose().services[service]!.build as { args: Record<string, string> };
      expect(Object.keys(build.args).sort()).toEqual(["EXTRA_CA_CERT", "NODE_IMAGE"]);
    }
  });
});

describe(".dockerignore", () => {
  // A CommonJS module whose types declare a default export: under NodeNext the default import is
  // module.exports, whose `default` is the same factory.
  const filter = dockerignore
    .default()
    .add(readFileSync(join(ROOT, ".dockerignore"), "utf8").split("\n"))
    .createFilter();
  const tracked = execFileSync("git", ["ls-files"], { cwd: ROOT, encoding: "utf8" })
    .split("\n")
    .filter((path) => path !== "" && existsSync(join(ROOT, path)));
  const sent = tracked.filter(filter);

  it("sends what the build reads: manifests, the lockfile, sources, build configs, docker/", () => {
    const needed = [
      "pnpm-lock.yaml",
      "pnpm-workspace.yaml",
      "package.json",
      "tsconfig.base.json",
      "docker/healthcheck.mjs",
      "docker/entrypoint.sh",
      "docker/local-webex.mjs",
      "packages/emulator/bin/sparkbot-emulator.js",
      ...workspacePackages().map((dir) => `${dir}/package.json`),
    ];
    expect(needed.filter((path) => !sent.includes(path))).toEqual([]);
    for (const dir of workspacePackages().filter((d) => d !== "bench")) {
      const sources = tracked.filter((path) => path.startsWith(`${dir}/src/`));
      expect(sources.length, dir).toBeGreaterThan(0);
      expect(
        sources.filter((path) => !sent.includes(path)),
        dir,
      ).toEqual([]);
      expect(sent, dir).toContain(`${dir}/tsconfig.build.json`);
    }
    expect(tracked.filter((path) => path.startsWith("packages/emulator/static/"))).toEqual(
      sent.filter((path) => path.startsWith("packages/emulator/static/")),
    );
  });

  it("keeps out what the build does not read: tests, docs, deployment, CI, benchmarks, .env", () => {
    const kept = sent.filter((path) =>
      /(^|\/)test\/|\.test\.ts$|^docs\/|^deploy\/|^\.ci\/|^bench\/(?!package\.json$)|\.md$|^\.env|^test-support\//.test(
        path,
      ),
    );
    expect(kept).toEqual([]);
    expect(filter(".env")).toBe(false);
    expect(filter("packages/core/node_modules/x/index.js")).toBe(false);
    expect(filter("packages/core/dist/index.js")).toBe(false);
  });
});

function rootPnpmVersion(): string {
  const pkg = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as {
    packageManager: string;
  };
  return pkg.packageManager.split("@")[1]!;
}
