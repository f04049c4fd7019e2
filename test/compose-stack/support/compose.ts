import { run, type Finished } from "../../support/processes.js";
import { ROOT } from "../../support/repo.js";
import type { DockerEngine } from "./docker-engine.js";

/** A compose command line: Compose v2 (`docker compose`) or v1 (`docker-compose`). */
export interface Compose {
  /** e.g. `docker compose` or `docker-compose`, and its version. */
  name: string;
  version: string;
  /** Runs `compose --profile local <args>` in the repository with the project's environment. */
  run(args: string[], timeoutMs?: number): Promise<Finished>;
  /** As `run`, throwing with the output when it fails. */
  ok(args: string[], timeoutMs?: number): Promise<string>;
}

/**
 * The compose to test with: COMPOSE (e.g. `COMPOSE=docker-compose`) when set, else Compose v2
 * when the docker CLI has it, else v1's `docker-compose`.
 */
export async function findCompose(engine: DockerEngine, env: NodeJS.ProcessEnv): Promise<Compose> {
  const candidates = process.env["COMPOSE"]
    ? [process.env["COMPOSE"].split(" ")]
    : [["docker", "compose"], ["docker-compose"]];
  for (const argv of candidates) {
    const [command, ...prefix] = argv;
    const version = await run(command!, [...prefix, "version", "--short"], { env: engine.env });
    if (version.code !== 0) continue;
    const runIt = (args: string[], timeoutMs = 300_000) =>
      run(command!, [...prefix, "--profile", "local", ...args], { cwd: ROOT, env, timeoutMs });
    return {
      name: argv.join(" "),
      version: version.stdout.trim(),
      run: runIt,
      async ok(args, timeoutMs) {
        const result = await runIt(args, timeoutMs);
        if (result.code !== 0) {
          throw new Error(
            `${argv.join(" ")} ${args.join(" ")} failed (${result.code}):\n${result.stdout}\n${result.stderr}`,
          );
        }
        return result.stdout;
      },
    };
  }
  throw new Error(
    "neither `docker compose` nor `docker-compose` runs (apt-get install docker-compose)",
  );
}
