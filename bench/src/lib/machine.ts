import { readFileSync } from "node:fs";
import { cpus, totalmem } from "node:os";

/** CPU model, cores, memory and Node version of this machine, for RESULTS.md. */
export function describeMachine(): Record<string, string | number> {
  let cpuModel = cpus()[0]?.model ?? "unknown";
  try {
    const cpuinfo = readFileSync("/proc/cpuinfo", "utf8");
    cpuModel = /^model name\s*:\s*(.+)$/m.exec(cpuinfo)?.[1]?.trim() ?? cpuModel;
  } catch {
    // not Linux: keep what os.cpus() said
  }
  return {
    cpu: cpuModel,
    cores: cpus().length,
    memoryGb: Math.round((totalmem() / 1024 ** 3) * 10) / 10,
    node: process.version,
    platform: `${process.platform} ${process.arch}`,
  };
}
