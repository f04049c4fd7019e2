import { createHash } from "node:crypto";
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  realpathSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { run } from "../../support/processes.js";
import type { DockerEngine } from "./docker-engine.js";
import { log, STATE_DIR } from "./host-setup.js";

/** The images docker-compose.yml's NODE_IMAGE, REDIS_IMAGE and PROMETHEUS_IMAGE are set to. */
export interface BaseImages {
  node: string;
  redis: string;
  prometheus: string;
  /** True when at least one is a stand-in built here from Debian's packages. */
  standIns: boolean;
}

const OFFICIAL = {
  node: "node:20-bookworm-slim",
  redis: "redis:7-alpine",
  prometheus: "prom/prometheus:v2.53.0",
};
const MIRROR = process.env["SPARKBOT_DEBIAN_MIRROR"] ?? "http://deb.debian.org/debian";
const LABEL = "sparkbot.stand-in.key";

/** Dockerfiles of the stand-ins, FROM the Debian images imported from debootstrap's root. */
const NODE_DOCKERFILE = `FROM sparkbot-stand-in/debian:bookworm
COPY node /usr/local/bin/node
COPY lib/ /usr/local/lib/node_modules/
RUN ln -s ../lib/node_modules/npm/bin/npm-cli.js /usr/local/bin/npm \\
 && ln -s ../lib/node_modules/npm/bin/npx-cli.js /usr/local/bin/npx \\
 && groupadd --gid 1000 node && useradd --uid 1000 --gid node --create-home node \\
 && node --version && npm --version
CMD ["node"]
`;
const REDIS_DOCKERFILE = `FROM sparkbot-stand-in/debian-services:bookworm
RUN mkdir -p /data && chown redis:redis /data
WORKDIR /data
USER redis
EXPOSE 6379
CMD ["redis-server"]
`;
const PROMETHEUS_DOCKERFILE = `FROM sparkbot-stand-in/debian-services:bookworm
RUN mkdir -p /prometheus /etc/prometheus && chown prometheus:prometheus /prometheus
WORKDIR /prometheus
USER prometheus
EXPOSE 9090
ENTRYPOINT ["/usr/bin/prometheus"]
CMD ["--config.file=/etc/prometheus/prometheus.yml", "--storage.tsdb.path=/prometheus"]
`;

async function docker(engine: DockerEngine, args: string[], timeoutMs = 120_000) {
  return run("docker", args, { env: { ...engine.env, DOCKER_BUILDKIT: "0" }, timeoutMs });
}

async function imageLabel(engine: DockerEngine, image: string): Promise<string | undefined> {
  const inspect = await docker(engine, [
    "image",
    "inspect",
    "--format",
    `{{index .Config.Labels "${LABEL}"}}`,
    image,
  ]);
  return inspect.code === 0 ? inspect.stdout.trim() : undefined;
}

const keyOf = (...parts: string[]): string =>
  createHash("sha256").update(parts.join("\0")).digest("hex").slice(0, 16);

/**
 * The official images when the engine already has them (the test never pulls: its engine has no
 * way out), else stand-ins built from Debian's packages: a debootstrap'ed bookworm with this
 * machine's Node.js 20 (Debian's own is 18) for NODE_IMAGE, Debian's redis-server and prometheus
 * for the others. Each stand-in is built once and kept (its label holds what it was built from).
 */
export async function provideBaseImages(engine: DockerEngine): Promise<BaseImages> {
  const have = async (image: string) =>
    (await docker(engine, ["image", "inspect", image])).code === 0;
  const images: BaseImages = { ...OFFICIAL, standIns: false };
  if (!(await have(OFFICIAL.node))) {
    images.node = await standIn(
      engine,
      "sparkbot-stand-in/node:20-bookworm-slim",
      NODE_DOCKERFILE,
      nodeContext,
    );
    images.standIns = true;
  }
  if (!(await have(OFFICIAL.redis))) {
    images.redis = await standIn(engine, "sparkbot-stand-in/redis:7", REDIS_DOCKERFILE);
    images.standIns = true;
  }
  if (!(await have(OFFICIAL.prometheus))) {
    images.prometheus = await standIn(
      engine,
      "sparkbot-stand-in/prometheus:2",
      PROMETHEUS_DOCKERFILE,
    );
    images.standIns = true;
  }
  removeDebootstrapRoot();
  return images;
}

async function standIn(
  engine: DockerEngine,
  tag: string,
  dockerfile: string,
  fillContext?: (dir: string) => string,
): Promise<string> {
  const context = mkdtempSync(join(tmpdir(), "sparkbot-stand-in-"));
  try {
    const extraKey = fillContext?.(context) ?? "";
    const key = keyOf(dockerfile, extraKey);
    if ((await imageLabel(engine, tag)) === key) return tag;
    const base = /^FROM (\S+)/.exec(dockerfile)?.[1] ?? "";
    await provideDebianImage(engine, base);
    writeFileSync(join(context, "Dockerfile"), `${dockerfile}LABEL ${LABEL}=${key}\n`);
    log(`building the stand-in ${tag}`);
    const built = await docker(engine, ["build", "-q", "-t", tag, context], 600_000);
    if (built.code !== 0) throw new Error(`docker build ${tag}: ${built.stderr || built.stdout}`);
    return tag;
  } finally {
    rmSync(context, { recursive: true, force: true });
  }
}

/** This machine's node binary, npm and corepack, laid out as the official image has them. */
function nodeContext(dir: string): string {
  const [major] = process.versions.node.split(".");
  if (Number(major) < 20)
    throw new Error(`the stand-in Node image needs Node.js 20+, this is ${process.version}`);
  const node = realpathSync(process.execPath);
  const modules = [
    join(dirname(node), "../lib/node_modules"),
    "/usr/local/lib/node_modules",
    "/usr/lib/node_modules",
  ].find((candidate) => existsSync(join(candidate, "npm/bin/npm-cli.js")));
  if (modules === undefined) throw new Error(`npm not found beside ${node}`);
  cpSync(node, join(dir, "node"));
  mkdirSync(join(dir, "lib"));
  cpSync(join(modules, "npm"), join(dir, "lib/npm"), { recursive: true });
  return process.version;
}

/** Debian bookworm from debootstrap, imported (minbase; with redis-server, prometheus, wget). */
async function provideDebianImage(engine: DockerEngine, image: string): Promise<void> {
  if ((await docker(engine, ["image", "inspect", image])).code === 0) return;
  const root = join(STATE_DIR, "rootfs-image");
  rmSync(root, { recursive: true, force: true });
  const copied = await run("cp", ["-a", await debootstrapped(), root], { timeoutMs: 300_000 });
  if (copied.code !== 0) throw new Error(`cp -a ${root}: ${copied.stderr}`);
  try {
    if (image.includes("debian-services")) {
      await installInRoot(root, ["redis-server", "prometheus", "wget"]);
    }
    // What an image does not need: package lists and caches, docs, man pages, locales, and the
    // 200 MB of timezone data prometheus' console templates pull in.
    for (const path of TRIMMED) rmSync(join(root, path), { recursive: true, force: true });
    log(`importing ${image}`);
    const imported = await run("sh", ["-c", `tar -C '${root}' -c . | docker import - '${image}'`], {
      env: engine.env,
      timeoutMs: 300_000,
    });
    if (imported.code !== 0) throw new Error(`docker import ${image}: ${imported.stderr}`);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

const TRIMMED = [
  "var/cache/apt",
  "var/lib/apt/lists",
  "usr/share/doc",
  "usr/share/man",
  "usr/share/locale",
  "usr/share/info",
  "usr/share/javascript/moment-timezone",
];

/** A debootstrap'ed bookworm root (minbase), made once per run and shared by both images. */
async function debootstrapped(): Promise<string> {
  const root = join(STATE_DIR, "rootfs-debootstrap");
  const complete = `${root}.complete`;
  if (existsSync(complete)) return root;
  const cache = join(STATE_DIR, "debootstrap-cache");
  mkdirSync(cache, { recursive: true });
  rmSync(root, { recursive: true, force: true });
  log(`debootstrap bookworm into ${root} (${MIRROR})`);
  const strap = await run(
    "debootstrap",
    ["--variant=minbase", `--cache-dir=${cache}`, "bookworm", root, MIRROR],
    { timeoutMs: 900_000 },
  );
  if (strap.code !== 0) throw new Error(`debootstrap failed: ${strap.stderr.slice(-2000)}`);
  writeFileSync(complete, "");
  return root;
}

/** Removes debootstrap's root once every image is imported (the .deb cache stays). */
export function removeDebootstrapRoot(): void {
  rmSync(join(STATE_DIR, "rootfs-debootstrap.complete"), { force: true });
  rmSync(join(STATE_DIR, "rootfs-debootstrap"), { recursive: true, force: true });
}

async function installInRoot(root: string, packages: string[]): Promise<void> {
  const policy = join(root, "usr/sbin/policy-rc.d");
  writeFileSync(policy, "#!/bin/sh\nexit 101\n", { mode: 0o755 });
  const install = await run(
    "chroot",
    [
      root,
      "/usr/bin/env",
      "-i",
      "PATH=/usr/sbin:/usr/bin:/sbin:/bin",
      "DEBIAN_FRONTEND=noninteractive",
      "apt-get",
      "install",
      "-y",
      "-qq",
      "--no-install-recommends",
      ...packages,
    ],
    { timeoutMs: 600_000 },
  );
  rmSync(policy, { force: true });
  if (install.code !== 0)
    throw new Error(`apt-get install ${packages.join(" ")} in ${root}: ${install.stderr}`);
}
