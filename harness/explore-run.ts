// One run of an exploration, made and judged: exactly as explore, replay and the workers make it.

import type { Scenario } from "../catalog/scenario.ts";
import type { FaultRates } from "../sim/index.ts";
import { policyFor, RANDOM, type RunStrategy } from "../sim/strategies/index.ts";
import { attributeFailures } from "./attribution.ts";
import { scenarioOfSlot } from "./generated.ts";
import { checkRun, checksNamed } from "./checks.ts";
import { transitionsOf } from "./coverage.ts";
import { traceInC8d9106aCodes } from "./run-view.ts";
import { UsageError } from "./model-options.ts";
import { recordingAskedFixes } from "../lifecycle/options.ts";
import { runScenarioOnSim, type SimRun } from "./run-sim.ts";
import { runNumber } from "./shard.ts";
import { emptyTally, mergeTallies, tallyOf, type RunOutcome, type Tally } from "./tally.ts";
import { OverBudget, runBudget, UNBOUNDED, type ExplorationClock } from "./wall-budget.ts";
import { drawnFaultRates, runSeed } from "./explore-seeds.ts";
import { replayCommand } from "./replay-command.ts";
import type { ExplorePlan } from "./explore-plan.ts";

export interface OneRunOptions {
  seed: number;
  faults: Partial<FaultRates>;
  strategy?: RunStrategy;
  fixes?: readonly string[];
  mutants?: readonly string[];
  unit?: string;
  maxSteps?: number;
  /** Wall-clock deadline (harness/wall-budget.ts): the run ends as "budget" when it says so. */
  deadline?: () => boolean;
}

/** One run exactly as explore and replay make it. */
export function runOnce(scenario: Scenario, o: OneRunOptions): SimRun {
  const policy = policyFor(o.strategy ?? RANDOM, o.seed);
  return runScenarioOnSim(scenario, {
    seed: o.seed,
    faults: o.faults,
    ...(policy === undefined ? {} : { policy }),
    fixes: o.fixes ?? [],
    mutants: o.mutants ?? [],
    ...(o.unit === undefined ? {} : { unit: o.unit }),
    ...(o.maxSteps === undefined ? {} : { maxSteps: o.maxSteps }),
    ...(o.deadline === undefined ? {} : { deadline: o.deadline }),
  });
}

/** A run that threw (a bug of nxtsim, not a finding): says which run, and how to replay it. */
export class RunCrashed extends Error {}

/**
 * Makes the shard's j-th run of a plan and judges it; null when the exploration's end (by
 * `clock`) cut it. A run cut by its own wall-clock budget is an outcome with no failures.
 */
export function runPlanned(plan: ExplorePlan, j: number, clock: ExplorationClock = UNBOUNDED): RunOutcome | null {
  const number = runNumber(plan.shard, j);
  const k = number % plan.scenarios.length;
  const ref = plan.refs[k]!;
  const seed = runSeed(plan.baseSeed, number);
  const faults = plan.faults ?? drawnFaultRates(plan.strategy, seed);
  const maxSteps = plan.maxSteps === null ? {} : { maxSteps: plan.maxSteps };
  const { strategy, fixes, mutants } = plan;
  const unit = plan.unit === undefined ? {} : { unit: plan.unit };
  const replay = replayCommand({ seed, scenario: ref, faults, strategy, fixes, mutants, ...unit, ...maxSteps });
  // One budget for the run and the reruns that attribute its failures.
  const budget = runBudget(clock, plan.runSeconds);
  const { deadline } = budget;
  try {
    const scenario = scenarioOfSlot(plan.scenarios[k]!, seed);
    const recorded = recordingAskedFixes(() => budget.guard(runOnce(scenario, { seed, faults, strategy, fixes, mutants, ...unit, ...maxSteps, deadline })));
    const run = recorded.value;
    const own = checkRun({ scenario, ...run });
    // Fixes the run never asked about cannot change it: that rerun would be the run itself. A
    // rerun is judged by the checks attribution asks about only: the others' failures are never looked at.
    const rerun = (withFixes: readonly string[], asked: ReadonlySet<string>) =>
      withFixes.every((f) => fixes.includes(f) || !recorded.canChange(f))
        ? own
        : checkRun({ scenario, ...budget.guard(runOnce(scenario, { seed, faults, strategy, fixes: withFixes, mutants, ...unit, ...maxSteps, deadline })) }, checksNamed(asked));
    const failures = attributeFailures(own, fixes, rerun);
    const transitions = transitionsOf(traceInC8d9106aCodes(run.sim.trace, plan.unit));
    return { number, scenario: ref, seed, faults, steps: run.result.steps, events: run.result.events, failures, replay, transitions, overBudget: false };
  } catch (e) {
    if (e instanceof OverBudget) {
      return e.byExploration ? null : { number, scenario: ref, seed, faults, steps: 0, events: 0, failures: [], replay, transitions: [], overBudget: true };
    }
    const message = (e instanceof Error ? e.message : String(e)).split("\n")[0];
    throw new RunCrashed(`run ${number} (${ref}, seed ${seed}) threw: ${message}; replay: ${replay}`);
  }
}

/**
 * The tally of the shard's runs from..to-1 (what a worker does with one chunk), and the run
 * it stopped before: `to`, or the first run the exploration's end cut.
 */
export function runChunk(plan: ExplorePlan, from: number, to: number, clock: ExplorationClock = UNBOUNDED): { tally: Tally; to: number } {
  if (plan.strategy.name === "branch") throw new UsageError("--strategy branch runs in the main thread only: no --workers or --shard");
  let tally = emptyTally(plan.refs);
  for (let j = from; j < to; j++) {
    const outcome = runPlanned(plan, j, clock);
    if (outcome === null) return { tally, to: j };
    tally = mergeTallies(tally, tallyOf(outcome, plan.refs));
  }
  return { tally, to };
}
