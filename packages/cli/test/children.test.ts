import { describe, expect, it } from "vitest";
import { waitFor } from "@sparkbot/testkit";
import { ChildSet } from "../src/dev/children.js";
import { prettyLogLine } from "../src/dev/log-format.js";
import { alive } from "./helpers/process-alive.js";

describe("ChildSet", () => {
  it("prefixes each line of a child's output with its name", async () => {
    const lines: string[] = [];
    const children = new ChildSet((line) => lines.push(line));
    const child = children.start("greeter", "sh", ["-c", "echo hello; echo oops >&2"], {});
    await child.exited;
    await waitFor(() => lines.length === 2, { timeoutMs: 30_000, what: "both lines" });
    expect(lines.sort()).toEqual(["[greeter]   hello", "[greeter]   oops"]);
  });

  it("stops a child and everything it started (its process group)", async () => {
    const lines: string[] = [];
    const children = new ChildSet((line) => lines.push(line));
    // The shell starts a grandchild in the background and prints its pid.
    children.start("parent", "sh", ["-c", "sleep 300 & echo $!; wait"], {});
    const grandchild = Number(
      await waitFor(() => lines[0]?.split(" ").at(-1), { timeoutMs: 30_000, what: "the pid" }),
    );
    expect(alive(grandchild)).toBe(true);
    await children.stopAll(5_000);
    await waitFor(() => !alive(grandchild), { timeoutMs: 30_000, what: "the grandchild to stop" });
  });

  it("kills a child that ignores SIGTERM once the grace period is over", async () => {
    const lines: string[] = [];
    const children = new ChildSet((line) => lines.push(line));
    const child = children.start(
      "stubborn",
      "sh",
      ["-c", "trap '' TERM; echo ignoring; sleep 300 & wait"],
      {},
    );
    // SIGTERM only once the shell ignores it.
    await waitFor(() => lines.some((line) => line.endsWith("ignoring")), {
      timeoutMs: 10_000,
      what: "the trap",
    });
    await children.stopAll(500);
    // Still running 300 s of sleep: only the SIGKILL after the grace period ended it.
    expect(await child.exited).toBe("SIGKILL");
  });

  it("reports a child that exits on its own, but not one it stopped", async () => {
    const children = new ChildSet(() => undefined);
    const exits: string[] = [];
    children.onUnexpectedExit((child) => exits.push(child.name));
    const quitter = children.start("quitter", "sh", ["-c", "exit 3"], {});
    children.start("sleeper", "sleep", ["300"], {});
    expect(await quitter.exited).toBe(3);
    await children.stopAll(5_000);
    expect(exits).toEqual(["quitter"]);
  });
});

describe("prettyLogLine", () => {
  it("turns a pino JSON line into level, message and fields", () => {
    const line = JSON.stringify({ level: 30, time: 1, pid: 2, msg: "started", port: 8080 });
    expect(prettyLogLine(line)).toBe("info  started port=8080");
  });

  it("leaves other lines alone", () => {
    expect(prettyLogLine("plain text")).toBe("plain text");
    expect(prettyLogLine("{not json")).toBe("{not json");
  });
});
