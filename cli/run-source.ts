// The one run that `replay` and `trace` reproduce: from a seed and --scenario (with --faults,
// --strategy, --fix, --mutant, --max-steps), from a repro file (--repro), which says
// everything itself, or from the property suite's seed and fast-check path (--path).

import type { Scenario } from "../catalog/scenario.ts";
import { runOnce } from "../harness/explore-run.ts";
import { modelOptionsFor, unitVersion, UsageError } from "../harness/model-options.ts";
import { suiteUnit } from "../properties/suite.ts";
import { loadRepro, runRepro } from "../harness/repro.ts";
import { runScenarioOnSim, type SimRun } from "../harness/run-sim.ts";
import { scenarioFromGenome } from "../properties/generators.ts";
import { SUITE_OPTIONS, suiteCaseAt } from "../properties/suite-case.ts";
import { noFaults, type FaultRates } from "../sim/index.ts";
import { RANDOM, type RunStrategy } from "../sim/strategies/index.ts";
import { DEFAULT_RUN_SECONDS, runBudget, UNBOUNDED } from "../harness/wall-budget.ts";
import { parseFaults, parsePositiveInt, parseRunStrategy, parseSeconds, parseSeed, resolveScenario, type LimitFlags, type StrategyFlags } from "./args.ts";

export interface RunFlags extends StrategyFlags, LimitFlags {
  scenario?: string;
  repro?: string;
  /** fast-check's path of a property-suite case (with the suite's seed). */
  path?: string;
  fix?: string[];
  mutant?: string[];
  /** --unit VERSION: the Unit version the model stands for. */
  unit?: string;
  faults?: string;
  maxSteps?: string;
  /** --run-time SECONDS: each run's wall-clock budget. */
  runTime?: string;
}

/** Makes runs each with a wall-clock budget of its own; one past it throws OverBudget (no verdict). */
type Budgeted = (make: (deadline: () => boolean) => SimRun) => SimRun;

function budgeted(flags: RunFlags): Budgeted {
  const seconds = flags.runTime === undefined ? DEFAULT_RUN_SECONDS : parseSeconds(flags.runTime, "--run-time");
  return (make) => {
    const budget = runBudget(UNBOUNDED, seconds);
    return budget.guard(make(budget.deadline));
  };
}

/** How the run was named, for the report. */
export interface RunWhat {
  ref: string;
  seed: number | string;
  faults: FaultRates;
  fixes: string[];
  mutants: string[];
  strategy: RunStrategy;
  /** The Unit version run, when not the default. */
  unit?: string;
}

export interface SourcedRun {
  scenario: Scenario;
  run: SimRun;
  what: RunWhat;
  /** The same run with these fixes instead (what attribution replays, harness/attribution.ts). */
  again: (fixes: readonly string[]) => SimRun;
}

/** Makes the run the flags name; `command` names the command in usage errors. */
export function runFromFlags(command: string, seedText: string | undefined, flags: RunFlags): SourcedRun {
  if (flags.repro !== undefined) return runFromRepro(command, seedText, flags.repro, flags);
  if (flags.path !== undefined) return runFromSuitePath(command, seedText, flags.path, flags);
  if (seedText === undefined) throw new UsageError(`${command} needs a seed (or --repro FILE)`);
  if (flags.scenario === undefined) throw new UsageError(`${command} needs --scenario NAME|FILE (or --repro FILE)`);
  const seed = parseSeed(seedText, "seed");
  const { scenario, ref } = resolveScenario(flags.scenario, flags.limit, seed, flags.unit);
  const faults = flags.faults === undefined ? noFaults() : parseFaults(flags.faults);
  const maxSteps = flags.maxSteps === undefined ? undefined : parsePositiveInt(flags.maxSteps, "--max-steps");
  const fixes = flags.fix ?? [];
  const mutants = flags.mutant ?? [];
  const strategy = parseRunStrategy(flags, command);
  const unit = flags.unit === undefined ? {} : { unit: unitVersion(flags.unit) };
  modelOptionsFor(scenario, { fixes, mutants, ...unit });
  const budget = budgeted(flags);
  const again = (withFixes: readonly string[]): SimRun =>
    budget((deadline) => runOnce(scenario, { seed, faults, strategy, fixes: withFixes, mutants, ...unit, ...(maxSteps === undefined ? {} : { maxSteps }), deadline }));
  return { scenario, run: again(fixes), what: { ref, seed, faults, fixes, mutants, strategy, ...unit }, again };
}

/** --repro FILE: the file says everything; other run options would contradict it. */
function runFromRepro(command: string, seedText: string | undefined, file: string, flags: RunFlags): SourcedRun {
  if (seedText !== undefined || flags.scenario !== undefined || flags.faults !== undefined || flags.fix !== undefined || flags.mutant !== undefined || flags.unit !== undefined || flags.strategy !== undefined) {
    throw new UsageError(`${command} --repro FILE takes no seed, --scenario, --faults, --fix, --mutant, --unit or --strategy (the file has them)`);
  }
  const { repro, scenario } = loadRepro(file, flags.limit);
  modelOptionsFor(scenario, { fixes: repro.fixes, mutants: repro.mutants, ...(repro.unit === undefined ? {} : { unit: repro.unit }) });
  // A repro holds no step budget: --max-steps gives the one its run had (explore --strategy branch prints it).
  const maxSteps = flags.maxSteps === undefined ? undefined : parsePositiveInt(flags.maxSteps, "--max-steps");
  const budget = budgeted(flags);
  const again = (fixes: readonly string[]): SimRun => budget((deadline) => runRepro({ ...repro, fixes: [...fixes] }, scenario, deadline, maxSteps));
  const what = { ref: file, seed: repro.seed, faults: repro.faults, fixes: repro.fixes, mutants: repro.mutants, strategy: repro.strategy ?? RANDOM, ...(repro.unit === undefined ? {} : { unit: repro.unit }) };
  return { scenario, run: again(repro.fixes), what, again };
}

/** <seed> --path P: the property suite's case, as npm test printed its seed and path. */
function runFromSuitePath(command: string, seedText: string | undefined, path: string, flags: RunFlags): SourcedRun {
  if (seedText === undefined) throw new UsageError(`${command} --path P needs the suite's seed too`);
  if (flags.scenario !== undefined || flags.faults !== undefined || flags.fix !== undefined || flags.mutant !== undefined || flags.unit !== undefined || flags.strategy !== undefined || flags.maxSteps !== undefined) {
    throw new UsageError(`${command} <seed> --path P takes no --scenario, --faults, --fix, --mutant, --unit, --strategy or --max-steps (the suite's case has them; NXTSIM_UNIT names its Unit version)`);
  }
  const seed = parseSeed(seedText, "seed");
  let found;
  try {
    found = suiteCaseAt(Number(seed), path);
  } catch (e) {
    throw new UsageError(`${command} --path: ${(e as Error).message}`);
  }
  const scenario = scenarioFromGenome(found.genome);
  const fixes = SUITE_OPTIONS.fixes ?? [];
  const unit = suiteUnit();
  const budget = budgeted(flags);
  const again = (withFixes: readonly string[]): SimRun =>
    budget((deadline) => runScenarioOnSim(scenario, { seed: 0, faults: found.faults, replay: found.schedule, fixes: [...withFixes], mutants: [], unit, deadline }));
  const what = { ref: `suite case (seed ${seed}, path ${path})`, seed: 0, faults: found.faults, fixes, mutants: [], strategy: RANDOM, unit };
  return { scenario, run: again(fixes), what, again };
}
