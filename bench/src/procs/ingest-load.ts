// Load generator for the ingest measurement, run as its own process: autocannon POSTs signed
// `messages/created` events, each with a fresh message id, and prints `RESULT {json}`.
import autocannon from "autocannon";
import { messageCreatedBody, signBody, syntheticContext } from "../lib/envelope.js";

/** What the parent passes as the first argument (JSON). */
export interface IngestLoadOptions {
  url: string;
  secret: string;
  connections: number;
  durationSeconds: number;
}

/** What the process prints after `RESULT `. */
export interface IngestLoadResult {
  requests: number;
  ok2xx: number;
  non2xx: number;
  errors: number;
  timeouts: number;
  durationSeconds: number;
  requestsPerSecond: number;
  latencyMs: { p50: number; p99: number; mean: number; max: number };
  /** CPU time (ms) the load generator itself used. */
  cpuMs: number;
}

async function main(): Promise<void> {
  const options = JSON.parse(process.argv[2] ?? "{}") as IngestLoadOptions;
  const context = syntheticContext(options.url);
  const cpuStart = process.cpuUsage();
  const result = await autocannon({
    url: options.url,
    connections: options.connections,
    duration: options.durationSeconds,
    timeout: 10,
    requests: [
      {
        method: "POST",
        setupRequest(request) {
          const body = messageCreatedBody(context);
          return {
            ...request,
            method: "POST",
            body,
            headers: {
              "content-type": "application/json",
              "x-spark-signature": signBody(body, options.secret),
            },
          };
        },
      },
    ],
  });
  const cpu = process.cpuUsage(cpuStart);
  const completed = result["2xx"] + result.non2xx;
  const output: IngestLoadResult = {
    requests: completed,
    ok2xx: result["2xx"],
    non2xx: result.non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
    durationSeconds: result.duration,
    requestsPerSecond: result["2xx"] / result.duration,
    latencyMs: {
      p50: result.latency.p50,
      p99: result.latency.p99,
      mean: result.latency.mean,
      max: result.latency.max,
    },
    cpuMs: (cpu.user + cpu.system) / 1000,
  };
  process.stdout.write(`RESULT ${JSON.stringify(output)}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(
    `ingest-load failed: ${error instanceof Error ? error.stack : String(error)}\n`,
  );
  process.exit(1);
});
