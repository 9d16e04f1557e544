// What a simulated run is asked (SimOptions, a StepObserver) and what it answers (RunResult).

import type { FaultRates } from "./faults.ts";
import type { ChoicePolicy } from "./random.ts";
import type { Runnable } from "./scheduler.ts";
import type { World } from "./world.ts";

export interface SimOptions {
  seed: string | number;
  firstPid?: number;
  pidMax?: number;
  pidWrapTo?: number;
  faults?: Partial<FaultRates>;
  maxSteps?: number;
  msPerStep?: number;
  socketQueueMax?: number;
  noSetgroupsFile?: boolean;
  replay?: readonly number[];
  policy?: ChoicePolicy;
  /** Watches the run step by step and may cut it short (the exhaustive search). */
  observer?: StepObserver;
  /**
   * The harness's wall-clock budget: asked every DEADLINE_EVERY steps, true ends the run with
   * reason "budget". The simulator reads no clock itself; a run it cuts is not deterministic.
   */
  deadline?: () => boolean;
  /**
   * The grain before scheduling points existed: each handler runs to its end in one step
   * (exit and abort still take effect at the next). Only to show what that grain cannot
   * reach (test/litmus); never sound for exploring.
   */
  atomicHandlers?: boolean;
  /** Compares the scheduler's kept runnable set with one rebuilt from scratch at every step (tests); a difference throws. */
  checkRunnable?: boolean;
}

/**
 * Sees the world at every scheduling decision among two or more events, before the choice,
 * and may stop the run there: the exhaustive search digests states and cuts a run that
 * reached one it has explored. Without an observer a run is exactly as before.
 */
export interface StepObserver {
  /** `keys` are the runnable events (scheduler.ts eventKey); false ends the run (reason "cut"). */
  beforeChoice(world: World, keys: readonly string[]): boolean;
  /** The world after the last step of a run that was not cut. */
  atEnd(world: World): void;
  /** After every step (chosen or the only one): which event ran (the search's digest tracker). */
  stepped?(world: World, event: Runnable): void;
}

/** How many steps a run makes between two questions to SimOptions.deadline. */
export const DEADLINE_EVERY = 64;

export interface RunResult {
  steps: number;
  events: number;
  /** "cut": a StepObserver stopped the run; "budget": its wall-clock deadline did (not deterministic). */
  reason: "quiescent" | "max-steps" | "internal-error" | "cut" | "budget";
  faults: FaultRates;
}
