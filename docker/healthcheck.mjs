#!/usr/bin/env node
// Container health check: GET http://127.0.0.1:<port><path> answers 2xx within 2 s.
// The port is HEALTHCHECK_PORT, else RECEIVER_PORT, else 8080 (a worker sets HEALTHCHECK_PORT to
// its WORKER_PORT); the path is HEALTHCHECK_PATH, else /healthz (the emulator, which has no
// /healthz, names another). Exit 0 when healthy, 1 otherwise, with one line saying why.
const port = process.env.HEALTHCHECK_PORT || process.env.RECEIVER_PORT || "8080";
const path = process.env.HEALTHCHECK_PATH || "/healthz";
const url = `http://127.0.0.1:${port}${path}`;

try {
  const response = await fetch(url, { signal: AbortSignal.timeout(2000) });
  if (!response.ok) {
    console.error(`unhealthy: ${url} answered ${response.status}`);
    process.exit(1);
  }
  console.log(`healthy: ${url}`);
} catch (error) {
  console.error(`unhealthy: ${url}: ${error instanceof Error ? error.message : error}`);
  process.exit(1);
}
