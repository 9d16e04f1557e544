// Exploration: many seeded runs over a set of scenarios, each judged by the run-level checks.
//
// Run k gets its seed from the base seed alone (runSeed), round-robin over the scenarios,
// and (unless fixed rates are given) fault rates drawn from its own seed (faultRatesForSeed).
// Nothing a run does depends on wall time, Math.random or the host: wall time only decides
// how many runs are made when a time budget is given, so --runs is the reproducible budget.
// What was found is a function of the set of runs made (harness/tally.ts), whichever thread,
// worker or shard made them. Every failure carries the exact `nxtsim replay` command that
// reproduces its run.
//
// The parts: explore-plan.ts (options to plan), explore-seeds.ts (seeds and fault rates),
// explore-run.ts (one run, judged), replay-command.ts, explore-result.ts; this file makes the
// runs one after another in the main thread (harness/workers.ts spreads them over threads).

import { BranchExplorer } from "./explore-branch.ts";
import { prepareExploration, type ExploreOptions } from "./explore-plan.ts";
import { progressOf, resultOf, type ExploreResult } from "./explore-result.ts";
import { runPlanned } from "./explore-run.ts";
import { emptyTally, mergeTallies, tallyOf } from "./tally.ts";
import type { ExplorationClock } from "./wall-budget.ts";

/** A main-thread exploration made one run at a time. */
interface RunByRun {
  /** Makes the next run; false when the budget is spent (nothing was run). */
  next(): boolean;
  result(interrupted: boolean): ExploreResult;
}

function runByRun(options: ExploreOptions): RunByRun {
  const prepared = prepareExploration(options);
  const { plan, runsLimit, timeLimitMs } = prepared;
  const now = options.now ?? (() => performance.now());
  const start = now();
  const clock: ExplorationClock = { now, endsAt: timeLimitMs === null ? null : start + timeLimitMs };
  let tally = emptyTally(plan.refs);
  let stoppedBy: ExploreResult["stoppedBy"] = "runs";
  let j = 0;
  const branch = plan.strategy.name === "branch" ? new BranchExplorer(plan, options.reproDir) : null;
  const make = (at: number) => (branch === null ? runPlanned(plan, at, clock) : branch.runPlanned(at, clock));
  return {
    next() {
      if (runsLimit !== null && j >= runsLimit) return false;
      const outcome = timeLimitMs !== null && now() - start >= timeLimitMs ? null : make(j);
      if (outcome === null) {
        stoppedBy = "time";
        return false;
      }
      j++;
      options.onRun?.(outcome);
      tally = mergeTallies(tally, tallyOf(outcome, plan.refs));
      options.onProgress?.(progressOf(prepared, tally, now() - start));
      return true;
    },
    result: (interrupted) => resultOf(prepared, tally, interrupted ? "interrupted" : stoppedBy, { wallMs: now() - start, workers: 0 }),
  };
}

/** Explores in the main thread, run after run (harness/workers.ts spreads the runs over threads). */
export function explore(options: ExploreOptions): ExploreResult {
  const exploration = runByRun(options);
  while (exploration.next());
  return exploration.result(false);
}

/**
 * As explore, but lets the event loop turn between runs, so that `signal` (aborted on Ctrl-C)
 * can stop it: then the runs made so far are the result, stopped by "interrupted".
 */
export async function exploreUntilAborted(options: ExploreOptions, signal: AbortSignal): Promise<ExploreResult> {
  const exploration = runByRun(options);
  while (!signal.aborted && exploration.next()) await new Promise((resolve) => setImmediate(resolve));
  return exploration.result(signal.aborted);
}
