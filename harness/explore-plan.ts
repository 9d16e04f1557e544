// An exploration's options, checked and turned into a plan: plain data that says how every
// run is made (worker threads get it whole), and the spec that defines its runs.

import { FAULT_KINDS, noFaults, type FaultRates } from "../sim/index.ts";
import { RANDOM, type RunStrategy } from "../sim/strategies/index.ts";
import { GENERATED, generatedScenario, type ScenarioSlot } from "./generated.ts";
import { modelOptionsFor, unitVersion, UsageError } from "./model-options.ts";
import { DEFAULT_UNIT } from "../lifecycle/options.ts";
import { runsInShard, WHOLE, type Shard } from "./shard.ts";
import type { RunOutcome } from "./tally.ts";
import { DEFAULT_RUN_SECONDS } from "./wall-budget.ts";

/** The base seed `npm start` uses, so that its runs are the same every time. */
export const DEFAULT_BASE_SEED = 1;
/** Default wall-time budget of an explore without --runs. */
export const DEFAULT_TIME_SECONDS = 15;

export interface ExploreOptions {
  /** Scenarios, run round-robin in this order (at least one); "generated": a scenario drawn from each run's seed. */
  scenarios: readonly ScenarioSlot[];
  /** How each scenario is named in replay commands (a file path for a scenario file); default its name. */
  refs?: readonly (string | undefined)[];
  /** Stop after this many runs (over all shards: a shard makes its share of runs 0..runs-1). */
  runs?: number;
  /** Stop once this much wall time has passed, the run in progress cut. Default 15 s when `runs` is not given. */
  timeSeconds?: number;
  /** Each run's wall-clock budget (default DEFAULT_RUN_SECONDS); a run past it is counted as cut, not judged. */
  runSeconds?: number;
  /** Base seed (default DEFAULT_BASE_SEED). */
  seed?: number;
  /** Fixed fault rates for every run; default: drawn per run from its seed. */
  faults?: Partial<FaultRates>;
  /** How each run's scheduling choices are made (default random: uniform). */
  strategy?: RunStrategy;
  fixes?: readonly string[];
  mutants?: readonly string[];
  /** The Unit version (--unit); default c8d9106a. */
  unit?: string;
  maxSteps?: number;
  /** The part of the runs to make (default: all). */
  shard?: Shard;
  onProgress?: (p: ExploreProgress) => void;
  /** Every finished run, in run order (main-thread exploration only). */
  onRun?: (o: RunOutcome) => void;
  /** Wall clock in ms (for tests); default performance.now. */
  now?: () => number;
  /** Where --strategy branch writes the repro files of failing branched runs (default results/). */
  reproDir?: string;
}

export interface ExploreProgress {
  runs: number;
  /** The run budget (of this shard), when one was given. */
  runsLimit: number | null;
  elapsedMs: number;
  /** The time budget in ms, when one applies. */
  timeLimitMs: number | null;
  events: number;
  failedRuns: number;
  distinctFailures: number;
}

/** How every run of an exploration is made, apart from its scenarios and its share of runs. */
export interface RunSwitches {
  baseSeed: number;
  fixes: string[];
  mutants: string[];
  /** The Unit version (--unit); absent for c8d9106a, so that those result files stay as they were. */
  unit?: string;
  /** Fixed fault rates, or null: each run draws its own from its seed. */
  faults: FaultRates | null;
  strategy: RunStrategy;
  maxSteps: number | null;
}

/** What defines an exploration's runs; result files can only be merged when theirs are equal. */
export interface ExploreSpec extends RunSwitches {
  /** Scenario names or file paths, round-robin in this order. */
  scenarios: string[];
  /** The --runs budget over all shards, or null (time budget). */
  runs: number | null;
}

/** Everything a run needs, as plain data (worker threads get it as their workerData). */
export interface ExplorePlan extends RunSwitches {
  scenarios: ScenarioSlot[];
  refs: string[];
  shard: Shard;
  /** Each run's wall-clock budget in seconds (not part of the spec: what it cuts is not a function of the seeds). */
  runSeconds: number;
}

/** A plan and when to stop it. */
export interface PreparedExploration {
  plan: ExplorePlan;
  spec: ExploreSpec;
  /** How many runs this shard makes at most. */
  runsLimit: number | null;
  timeLimitMs: number | null;
}

function fullRates(partial: Partial<FaultRates>): FaultRates {
  const rates = noFaults();
  for (const name of FAULT_KINDS) {
    const v = partial[name];
    if (v !== undefined) rates[name] = v;
  }
  return rates;
}

/** Checks the options (bad ones are UsageErrors) and turns them into a plan. */
export function prepareExploration(options: ExploreOptions): PreparedExploration {
  const scenarios = options.scenarios;
  if (scenarios.length === 0) throw new UsageError("no scenario to explore");
  const runsBudget = options.runs ?? null;
  if (runsBudget !== null && !(Number.isSafeInteger(runsBudget) && runsBudget >= 1)) {
    throw new UsageError(`runs must be a positive integer, got ${runsBudget}`);
  }
  const timeSeconds = options.timeSeconds ?? (runsBudget === null ? DEFAULT_TIME_SECONDS : null);
  if (timeSeconds !== null && !(timeSeconds > 0 && Number.isFinite(timeSeconds))) {
    throw new UsageError(`time must be a positive number of seconds, got ${timeSeconds}`);
  }
  const runSeconds = options.runSeconds ?? DEFAULT_RUN_SECONDS;
  if (!(runSeconds > 0 && Number.isFinite(runSeconds))) throw new UsageError(`run time must be a positive number of seconds, got ${runSeconds}`);
  const fixes = [...(options.fixes ?? [])];
  const mutants = [...(options.mutants ?? [])];
  // Unknown fixes or mutants are bad usage: find out before the first run.
  const unit = options.unit === undefined || options.unit === DEFAULT_UNIT ? {} : { unit: unitVersion(options.unit) };
  for (const s of scenarios) modelOptionsFor(s === GENERATED ? generatedScenario(0) : s, { fixes, mutants, ...unit });
  if (options.strategy?.name === "branch" && options.shard !== undefined) throw new UsageError("--strategy branch runs in the main thread only: no --workers or --shard");
  const shard = options.shard ?? WHOLE;
  const plan: ExplorePlan = {
    scenarios: [...scenarios],
    refs: scenarios.map((s, i) => options.refs?.[i] ?? (s === GENERATED ? GENERATED : s.name)),
    baseSeed: options.seed ?? DEFAULT_BASE_SEED,
    fixes,
    mutants,
    ...unit,
    faults: options.faults === undefined ? null : fullRates(options.faults),
    strategy: options.strategy ?? RANDOM,
    maxSteps: options.maxSteps ?? null,
    shard,
    runSeconds,
  };
  const spec: ExploreSpec = {
    scenarios: plan.refs,
    baseSeed: plan.baseSeed,
    fixes,
    mutants,
    ...(plan.unit === undefined ? {} : { unit: plan.unit }),
    faults: plan.faults,
    strategy: plan.strategy,
    maxSteps: plan.maxSteps,
    runs: runsBudget,
  };
  return {
    plan,
    spec,
    runsLimit: runsBudget === null ? null : runsInShard(shard, runsBudget),
    timeLimitMs: timeSeconds === null ? null : timeSeconds * 1000,
  };
}
