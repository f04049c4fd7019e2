import { WebexServiceError, createWebexHttp, errorText, type WebexHttp } from "./webex-http.js";

/*
 * Service discovery (protocol notes §2): the catalog says where WDM is (never hard-coded: a
 * device in the wrong region authorizes but gets no activities) and, through its host catalog,
 * which cluster a conversation's REST ids name.
 */

/** What the listener takes from the catalog. */
export interface ServiceCatalog {
  /** WDM's base URL (`serviceLinks.wdm`). */
  wdmUrl: string;
  /** The REST id cluster of a conversation URL's host (`us` unless the catalog says other). */
  clusterOf(conversationUrl: string | undefined): string;
}

/**
 * Fetches `<u2cUrl>/catalog?format=hostmap` with `http` (direct when not given); a 401 means the
 * token is wrong.
 */
export async function discoverServices(
  u2cUrl: string,
  token: string,
  http?: WebexHttp,
): Promise<ServiceCatalog> {
  const client = http ?? createWebexHttp(undefined);
  const answer = await client
    .call("GET", `${u2cUrl}/catalog?format=hostmap`, token)
    .finally(() => (http === undefined ? client.close() : undefined));
  if (answer.status !== 200) {
    throw new WebexServiceError(
      `the service catalog (${u2cUrl}) answered ${answer.status}: ${errorText(answer)}`,
      answer.status,
    );
  }
  const links = answer.json["serviceLinks"] as Record<string, unknown> | undefined;
  const wdmUrl = links?.["wdm"];
  if (typeof wdmUrl !== "string") {
    throw new WebexServiceError(`the service catalog (${u2cUrl}) names no wdm service`, 200);
  }
  const hosts = (answer.json["hostCatalog"] ?? {}) as Record<string, unknown>;
  return { wdmUrl: wdmUrl.replace(/\/+$/, ""), clusterOf: (url) => clusterFor(hosts, url) };
}

/**
 * The cluster part of REST ids for a conversation at `url` (JS SDK `getHydraClusterString`):
 * `us` for the US clusters, else the first three parts of the host's catalog id, e.g.
 * `urn:TEAM:eu-central-1_k`.
 */
export function clusterFor(hosts: Record<string, unknown>, url: string | undefined): string {
  if (url === undefined) return "us";
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return "us";
  }
  const entries = hosts[parsed.host] ?? hosts[parsed.hostname];
  const first = Array.isArray(entries)
    ? (entries[0] as Record<string, unknown> | undefined)
    : undefined;
  const id = typeof first?.["id"] === "string" ? first["id"] : undefined;
  if (id === undefined) return "us";
  if (id.startsWith("urn:TEAM:us-east-2_a") || id.startsWith("urn:TEAM:us-east-1_int13")) {
    return "us";
  }
  return id.split(":").slice(0, 3).join(":");
}
