/**
 * The Node flags the services run with wherever this repository starts them (the image's
 * `NODE_OPTIONS`, the systemd units, `sparkbot dev`, the benchmarks).
 *
 * `--max-semi-space-size=4` caps V8's young generation at 2 × 4 MB instead of 2 × 16 MB. The
 * services make short-lived garbage per request and keep little, and loading their modules at
 * start would otherwise grow the young generation to its maximum for good: the cap lowers the
 * idle and peak memory of each process for a small CPU cost (bench/RESULTS.md measures both,
 * with and without it, in one run).
 */
export const SERVICE_NODE_FLAGS: readonly string[] = ["--max-semi-space-size=4"];

/**
 * The flags to start a service with: `SERVICE_NODE_FLAGS`, less those `NODE_OPTIONS` already
 * sets (the operator's choice wins).
 */
export function serviceNodeFlags(nodeOptions: string | undefined): string[] {
  const name = (flag: string): string => (flag.split("=")[0] ?? "").replace(/_/g, "-");
  const given = new Set((nodeOptions ?? "").split(/\s+/).map(name));
  return SERVICE_NODE_FLAGS.filter((flag) => !given.has(name(flag)));
}
