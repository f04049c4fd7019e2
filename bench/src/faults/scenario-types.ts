// What a fault scenario is: a fault applied to a running stack while the burst is sent.
import type { FaultStack, StackSettings } from "./stack.js";

/** How far the burst has gone. */
export interface BurstProgress {
  readonly total: number;
  /** Resolves once `fraction` of the burst has been sent. */
  reached(fraction: number): Promise<void>;
}

/** What a scenario's fault gets to work with. */
export interface FaultContext {
  stack: FaultStack;
  progress: BurstProgress;
  /** Records a figure about the fault itself (e.g. jobs in flight at a kill). */
  note(key: string, value: number | string | boolean): void;
}

/** When the fault was applied and when it was over (performance.now()). */
export interface FaultWindow {
  start: number;
  end: number;
  /**
   * The moments recovery is measured from (default: `end`): for a kill, the kill itself; the
   * time to recover is the longest of them.
   */
  recoverFrom?: number[];
  /** The audit waits at least until then: a call the fault delayed may still take effect. */
  settleUntil?: number;
}

/** One fault scenario. */
export interface Scenario {
  id: string;
  /** Letter of the list (a–e). */
  item: string;
  /** What is done, in a few words (the table's first column). */
  fault: string;
  /** Stack settings of this scenario (e.g. a short Webex client timeout). */
  stack?: Partial<Pick<StackSettings, "webexTimeoutMs">>;
  /** The modes that run it (quick: the CI form). */
  modes: ("full" | "quick")[];
  /**
   * Set for a scenario that measures a documented residual window: its duplicates (in any
   * room) are that window's, reported as such; a lost reply still fails it.
   */
  residual?: string;
  inject(ctx: FaultContext): Promise<FaultWindow>;
}
