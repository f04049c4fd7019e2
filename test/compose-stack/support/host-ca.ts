import { existsSync, readFileSync } from "node:fs";
import { rootCertificates } from "node:tls";

/**
 * The CA certificates this machine trusts beyond Node.js's own (its CA bundle minus Node's
 * bundled roots), as PEM: what a TLS-intercepting proxy between this machine and the npm registry
 * is signed by. The image build gets them as EXTRA_CA_CERT, as a build behind a corporate proxy
 * would. Empty when the machine adds nothing.
 */
export function extraCaCertificates(env = process.env): string {
  const bundle = [env["SSL_CERT_FILE"], "/etc/ssl/certs/ca-certificates.crt"].find(
    (path): path is string => path !== undefined && existsSync(path),
  );
  if (bundle === undefined) return "";
  const known = new Set(rootCertificates.map((pem) => pem.replace(/\s+/g, "")));
  const blocks =
    readFileSync(bundle, "utf8").match(
      /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g,
    ) ?? [];
  return blocks.filter((pem) => !known.has(pem.replace(/\s+/g, ""))).join("\n");
}
