// Keeps the image build's cache for the next run. With the classic builder (what docker-compose
// 1.29 uses) the intermediate stages of a multi-stage build are untagged images, and the
// `docker image prune` that clears earlier runs' leftovers would delete them with the rest: the
// next run would fetch and install every dependency again (about 4 minutes). Tagging each stage
// keeps it; a stage rebuilt with other inputs leaves its old image dangling, and that one goes.
import { run } from "../../support/processes.js";
import type { DockerEngine } from "./docker-engine.js";

/** The Dockerfile's stages worth keeping: the dependency installs and the compiled sources. */
const STAGES = ["deps", "prod-deps", "build"] as const;

export interface BuildCacheOptions {
  engine: DockerEngine;
  /** The build context (the repository). */
  context: string;
  /** The same build arguments the compose build had, so that every step is a cache hit. */
  buildArgs: Record<string, string>;
  /** Tag prefix, e.g. `sparkbot-compose-test-cache`. */
  repository: string;
}

/** Tags the stages of the build just made (each a cache hit: seconds); returns the tags. */
export async function keepBuildCache(options: BuildCacheOptions): Promise<string[]> {
  const args = Object.entries(options.buildArgs).flatMap(([k, v]) => ["--build-arg", `${k}=${v}`]);
  const tags: string[] = [];
  for (const stage of STAGES) {
    const tag = `${options.repository}:${stage}`;
    const result = await run(
      "docker",
      ["build", "--quiet", "--target", stage, "--tag", tag, ...args, options.context],
      { env: { ...options.engine.env, DOCKER_BUILDKIT: "0" }, timeoutMs: 600_000 },
    );
    if (result.code !== 0) {
      throw new Error(`docker build --target ${stage} failed (${result.code}):\n${result.stderr}`);
    }
    tags.push(tag);
  }
  return tags;
}
