// Scenarios that measure the residual windows docs/RELIABILITY.md names (full mode only): the
// faults under which a reply may be said twice even in a direct room, by design.
import { performance } from "node:perf_hooks";
import { sleep } from "../lib/net.js";
import type { Scenario } from "./scenario-types.js";
import { webexFault } from "./webex-faults.js";

export const RESIDUAL_SCENARIOS: Scenario[] = [
  {
    id: "worker-frozen",
    item: "a",
    fault:
      "a worker frozen (SIGSTOP) for 8 s, past its 5 s job lock, then thawed (SIGCONT): a VM pause or a stop-the-world stall",
    modes: ["full"],
    residual: "a worker that lost its lock mid-send",
    async inject(ctx) {
      await ctx.progress.reached(0.3);
      const worker = ctx.stack.workers[0];
      const start = performance.now();
      worker?.handle.child.kill("SIGSTOP");
      await sleep(8_000);
      worker?.handle.child.kill("SIGCONT");
      return { start, end: performance.now(), recoverFrom: [start] };
    },
  },
  {
    id: "webex-late-create",
    item: "e",
    fault:
      "Webex creates 3% of replies 20 s late (client timeout 1 s): after the client gave up, and after the retry looked for it",
    stack: { webexTimeoutMs: 1_000 },
    modes: ["full"],
    residual: "a message Webex created after the retry's search",
    inject: (ctx) =>
      webexFault(ctx, { method: "POST", path: "/v1/messages", delayMs: 20_000, probability: 0.03 }),
  },
];
