import { readFileSync } from "node:fs";

/**
 * A self-signed certificate for `localhost` and `127.0.0.1` and its key, for tests that run an
 * HTTPS server on port 0 (test-only: never used outside the tests).
 */
export function localhostTls(): { cert: Buffer; key: Buffer } {
  const file = (name: string): Buffer =>
    readFileSync(new URL(`fixtures/localhost-test-${name}.pem`, import.meta.url));
  return { cert: file("cert"), key: file("key") };
}
