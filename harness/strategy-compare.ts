// How well a strategy finds one broken rule: a target is a scenario, the fixes and mutants
// it runs with and the check it must fail. Used by the strategy benchmark (bench/strategies.ts)
// and by the test that pins PCT's edge over uniform random (test/strategies). A per-run
// strategy's campaign is runs 0, 1, ... of a base seed, each made alone; branch's campaign is
// explore's own (harness/explore-branch.ts: its runs depend on the runs before them), with the
// same seeds and fault rates for its runs from boot.

import type { Scenario } from "../catalog/scenario.ts";
import { noFaults, type FaultRates } from "../sim/faults.ts";
import type { RunStrategy } from "../sim/strategies/index.ts";
import { attributeFailures } from "./attribution.ts";
import { checkRun } from "./checks.ts";
import { BranchExplorer } from "./explore-branch.ts";
import { prepareExploration } from "./explore-plan.ts";
import { runOnce } from "./explore-run.ts";
import { drawnFaultRates, runSeed } from "./explore-seeds.ts";
import { REPRO_DIR } from "./repro.ts";
import type { RunOutcome } from "./tally.ts";

export interface Target {
  name: string;
  scenario: Scenario;
  fixes: readonly string[];
  mutants: readonly string[];
  check: string;
  /** The known cause the target is (a bug fixture of the default model): its failures count. */
  cause?: string;
}

/** Which fault rates a compared run gets: what explore draws for the strategy, or none. */
export type FaultPlan = "drawn" | "none";

/**
 * Whether run `seed` of the strategy fails the target's check with a new failure or one of the
 * target's own cause: one that another known fix removes (harness/attribution.ts) is another
 * c8d9106a finding, not the target's.
 */
export function failsTarget(t: Target, strategy: RunStrategy, seed: number, faults: FaultPlan): boolean {
  const rates: FaultRates = faults === "drawn" ? drawnFaultRates(strategy, seed) : noFaults();
  const runWith = (fixes: readonly string[]) =>
    checkRun({ scenario: t.scenario, ...runOnce(t.scenario, { seed, faults: rates, strategy, fixes, mutants: t.mutants }) });
  const onTarget = runWith(t.fixes).filter((f) => f.check === t.check);
  return attributeFailures(onTarget, t.fixes, runWith).some((f) => f.cause === null || f.cause === t.cause);
}

/** Whether a branch run's outcome fails the target as failsTarget counts it. */
function outcomeFailsTarget(t: Target, o: RunOutcome): boolean {
  return o.failures.some((f) => f.check === t.check && (f.cause === null || f.cause === t.cause));
}

/**
 * The campaign of base seed `base`: whether its k-th run fails the target, asked for k = 0, 1,
 * ... in order. Branch's repro files of failing branched runs go to `reproDir`.
 */
function campaign(t: Target, strategy: RunStrategy, base: number, faults: FaultPlan, reproDir: string): (k: number) => boolean {
  if (strategy.name !== "branch") return (k) => failsTarget(t, strategy, runSeed(base, k), faults);
  const { plan } = prepareExploration({ scenarios: [t.scenario], runs: 1, seed: base, strategy, fixes: t.fixes, mutants: t.mutants, ...(faults === "none" ? { faults: {} } : {}) });
  const explorer = new BranchExplorer(plan, reproDir);
  return (k) => outcomeFailsTarget(t, explorer.runPlanned(k)!);
}

/** Runs 0, 1, ... of base seed `base` until the target fails: how many it took, or cap + 1. */
export function runsToFailure(t: Target, strategy: RunStrategy, base: number, cap: number, faults: FaultPlan, reproDir = REPRO_DIR): number {
  const fails = campaign(t, strategy, base, faults, reproDir);
  for (let k = 0; k < cap; k++) if (fails(k)) return k + 1;
  return cap + 1;
}

/** How many of runs 0..runs-1 of base seed `base` fail the target. */
export function hitsIn(t: Target, strategy: RunStrategy, base: number, runs: number, faults: FaultPlan, reproDir = REPRO_DIR): number {
  const fails = campaign(t, strategy, base, faults, reproDir);
  let hits = 0;
  for (let k = 0; k < runs; k++) if (fails(k)) hits++;
  return hits;
}
