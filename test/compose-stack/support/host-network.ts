import { spawn } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { onPath } from "../../support/repo.js";
import { run } from "../../support/processes.js";

/** The host network settings a docker engine may change, as they were before it started. */
export interface NetworkSnapshot {
  /** `iptables-save` / `ip6tables-save` output without comments and counters, by tool. */
  rules: Record<string, string>;
  /** Forwarding and bridge-netfilter sysctls, by /proc/sys path. */
  sysctls: Record<string, string>;
  /** Names of the network interfaces. */
  links: string[];
}

const SYSCTLS = [
  "/proc/sys/net/ipv4/ip_forward",
  "/proc/sys/net/ipv6/conf/all/forwarding",
  "/proc/sys/net/bridge/bridge-nf-call-iptables",
  "/proc/sys/net/bridge/bridge-nf-call-ip6tables",
];

const RULE_TOOLS = ["iptables", "ip6tables"];

function readSysctl(path: string): string | undefined {
  try {
    return readFileSync(path, "utf8").trim();
  } catch {
    return undefined;
  }
}

async function savedRules(tool: string): Promise<string | undefined> {
  if (!onPath(`${tool}-save`)) return undefined;
  const saved = await run(`${tool}-save`, []);
  if (saved.code !== 0) return undefined;
  return saved.stdout
    .split("\n")
    .filter((line) => !line.startsWith("#"))
    .map((line) => line.replace(/\[\d+:\d+\]$/, "").trimEnd())
    .join("\n");
}

/** The names of the host's network interfaces. */
export async function linkNames(): Promise<string[]> {
  const links = await run("ip", ["-o", "link", "show"]);
  return links.stdout
    .split("\n")
    .map((line) => /^\d+:\s+([^:@\s]+)/.exec(line)?.[1])
    .filter((name): name is string => name !== undefined);
}

/** Reads the settings `restoreNetwork` puts back. */
export async function snapshotNetwork(): Promise<NetworkSnapshot> {
  const rules: Record<string, string> = {};
  for (const tool of RULE_TOOLS) {
    const saved = await savedRules(tool);
    if (saved !== undefined) rules[tool] = saved;
  }
  const sysctls: Record<string, string> = {};
  for (const path of SYSCTLS) {
    const value = readSysctl(path);
    if (value !== undefined) sysctls[path] = value;
  }
  return { rules, sysctls, links: await linkNames() };
}

/** Interfaces a docker engine (or the test, for its bridge) creates; others are never touched. */
const ENGINE_LINK = /^(sbtest\d+|br-[0-9a-f]+|veth[0-9a-f]+|docker0)$/;

/**
 * Puts back what changed since `before`: sysctls, firewall rules (tables that did not exist are
 * flushed, the others restored), and removes the engine's interfaces that appeared. Returns what
 * it changed, one line each (empty when the host was left as it was).
 */
export async function restoreNetwork(before: NetworkSnapshot): Promise<string[]> {
  const changed: string[] = [];
  for (const [path, value] of Object.entries(before.sysctls)) {
    if (readSysctl(path) !== value) {
      writeFileSync(path, `${value}\n`);
      changed.push(`${path} set back to ${value}`);
    }
  }
  for (const tool of RULE_TOOLS) {
    const was = before.rules[tool];
    const now = await savedRules(tool);
    if (was === undefined || now === undefined || now === was) continue;
    const restore = await restoreRules(tool, was, now);
    changed.push(`${tool} rules restored (${restore})`);
  }
  for (const link of await linkNames()) {
    if (!before.links.includes(link) && ENGINE_LINK.test(link)) {
      await run("ip", ["link", "delete", link]);
      changed.push(`interface ${link} removed`);
    }
  }
  return changed;
}

async function restoreRules(tool: string, was: string, now: string): Promise<string> {
  const tablesBefore = new Set([...was.matchAll(/^\*(\w+)$/gm)].map((m) => m[1]));
  for (const match of now.matchAll(/^\*(\w+)$/gm)) {
    const table = match[1]!;
    if (tablesBefore.has(table)) continue;
    await run(tool, ["-t", table, "-F"]);
    await run(tool, ["-t", table, "-X"]);
  }
  if (was.trim() === "") return "flushed";
  const input = `${was}\n`;
  const restore = await runWithInput(`${tool}-restore`, input);
  return restore === 0 ? "restored" : `restore exited ${restore}`;
}

function runWithInput(command: string, input: string): Promise<number | null> {
  return new Promise((resolve) => {
    const child = spawn(command, [], { stdio: ["pipe", "ignore", "ignore"] });
    child.on("exit", (code) => resolve(code));
    child.on("error", () => resolve(null));
    child.stdin.end(input);
  });
}
