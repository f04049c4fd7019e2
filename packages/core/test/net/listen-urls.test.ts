import type { NetworkInterfaceInfo } from "node:os";
import { describe, expect, it } from "vitest";
import { isWildcardHost, listenUrls } from "../../src/net/listen-urls.js";

function info(address: string, family: "IPv4" | "IPv6", internal: boolean): NetworkInterfaceInfo {
  const base = { address, netmask: "", mac: "00:00:00:00:00:00", internal, cidr: null };
  return family === "IPv4" ? { ...base, family } : { ...base, family, scopeid: 0 };
}

// A container's interfaces: loopback first (as the OS lists them), then the compose network.
const container = {
  lo: [info("127.0.0.1", "IPv4", true), info("::1", "IPv6", true)],
  eth0: [info("10.213.128.7", "IPv4", false), info("fe80::1", "IPv6", false)],
};

describe("listenUrls", () => {
  it("a specific address is the one URL", () => {
    expect(listenUrls("127.0.0.1", 8080, container)).toEqual(["http://127.0.0.1:8080"]);
    expect(listenUrls("::1", 8080, container)).toEqual(["http://[::1]:8080"]);
  });

  it("0.0.0.0 gives every IPv4 address, the external ones before loopback", () => {
    expect(listenUrls("0.0.0.0", 8080, container)).toEqual([
      "http://10.213.128.7:8080",
      "http://127.0.0.1:8080",
    ]);
  });

  it(":: adds the IPv6 addresses, without link-local ones", () => {
    expect(listenUrls("::", 9464, container)).toEqual([
      "http://10.213.128.7:9464",
      "http://127.0.0.1:9464",
      "http://[::1]:9464",
    ]);
  });

  it("with no interface listed, falls back to loopback", () => {
    expect(listenUrls("0.0.0.0", 80, {})).toEqual(["http://127.0.0.1:80"]);
  });

  it("knows the wildcard addresses", () => {
    expect(["0.0.0.0", "::", "[::]", ""].every(isWildcardHost)).toBe(true);
    expect(isWildcardHost("127.0.0.1")).toBe(false);
  });
});
