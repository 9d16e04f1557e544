// Exploration: many seeded runs over a set of scenarios, each judged by the run-level checks.
//
// Run k gets its seed from the base seed alone (runSeed), round-robin over the scenarios,
// and (unless fixed rates are given) fault rates drawn from its own seed (faultRatesForSeed).
// Nothing a run does depends on wall time, Math.random or the host: wall time only decides
// how many runs are made when a time budget is given, so --runs is the reproducible budget.
// What was found is a function of the set of runs made (harness/tally.ts), whichever thread,
// worker or shard made them. Every failure carries the exact `nxtsim replay` command that
// reproduces its run.

import type { Scenario } from "../catalog/scenario.ts";
import { FAULT_KINDS, noFaults, type FaultRates } from "../sim/index.ts";
import { policyFor, RANDOM, strategyFlags, swarmConfig, type RunStrategy } from "../sim/strategies/index.ts";
import { attributeFailures } from "./attribution.ts";
import { BranchExplorer } from "./explore-branch.ts";
import { GENERATED, generatedScenario, scenarioOfSlot, type ScenarioSlot } from "./generated.ts";
import { checkRun, checksNamed } from "./checks.ts";
import { transitionsOf } from "./coverage.ts";
import { traceInC8d9106aCodes } from "./run-view.ts";
import { modelOptionsFor, unitVersion, UsageError } from "./model-options.ts";
import { DEFAULT_UNIT, recordingAskedFixes } from "../lifecycle/options.ts";
import { runScenarioOnSim, type SimRun } from "./run-sim.ts";
import { runNumber, runsInShard, WHOLE, type Shard } from "./shard.ts";
import { emptyTally, mergeTallies, tallyOf, type RunOutcome, type Tally } from "./tally.ts";
import { DEFAULT_RUN_SECONDS, OverBudget, runBudget, UNBOUNDED, type ExplorationClock } from "./wall-budget.ts";

/** The base seed `npm start` uses, so that its runs are the same every time. */
export const DEFAULT_BASE_SEED = 1;
/** Default wall-time budget of an explore without --runs. */
export const DEFAULT_TIME_SECONDS = 15;
/** Largest seed accepted anywhere (seeds are exact integers). */
export const MAX_SEED = Number.MAX_SAFE_INTEGER;

/** The fault kinds a run draws rates for; sendLost (a lost message) only when asked with --faults. */
const FAULT_NAMES = ["cloneFail", "sendFail", "killAtStep", "mapWriteFail"] as const;
/** Non-zero rates a run may draw for one fault kind. */
const FAULT_LEVELS = [0.002, 0.005, 0.01, 0.02] as const;

/** The format tag of explore's --json result files (and of merge's); /2 added the strategy and transitions. */
export const RESULT_FORMAT = "nxtsim-result/3";

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

/** The runs a shard made: its first `runs` ones, numbered first, first+count, ..., last. */
export interface ShardRuns {
  index: number;
  count: number;
  runs: number;
  first: number | null;
  last: number | null;
}

/** An exploration's result, as explore returns it and --json writes it (format nxtsim-result/2). */
export interface ExploreResult extends Tally {
  format: typeof RESULT_FORMAT;
  spec: ExploreSpec;
  /** The shards whose runs are counted (one for an explore; several after merge). */
  shards: ShardRuns[];
  /**
   * What ended the exploration: its run budget, its time budget ("time" when any shard stopped
   * on it), or a signal (Ctrl-C: "interrupted" when any shard was; the runs made so far count).
   */
  stoppedBy: "runs" | "time" | "interrupted";
  /** Not a function of the runs: left out when results are compared. */
  timing: {
    /** Wall time; for merged results the sum over the shards (one runner doing all the work). */
    wallMs: number;
    /** Worker threads (0: the main thread ran everything). */
    workers: number;
  };
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

/* ------------------------------------------------------------------ seeds */

/** A small seeded PRNG (splitmix32) of the explorer's own, independent of the simulator's. */
export function splitmix32(seed: number): () => number {
  let x = seed | 0;
  return () => {
    x = (x + 0x9e3779b9) | 0;
    let z = x;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
    return (z ^ (z >>> 16)) >>> 0;
  };
}

/** Folds an exact integer (up to 2^53) into 32 bits, keeping both halves. */
function fold(n: number): number {
  const hi = Math.floor(n / 4294967296);
  return (Math.imul(hi, 0x27d4eb2f) ^ n) >>> 0;
}

/** The seed of run `index` (0-based) of an exploration with base seed `base`: a u32. */
export function runSeed(base: number, index: number): number {
  const next = splitmix32(fold(base) ^ Math.imul(index + 1, 0x6c8e9cf5));
  next();
  return (next() ^ fold(index)) >>> 0;
}

/**
 * The fault rates of a run, drawn from its seed: a quarter of the runs are fault-free; the
 * others give each fault kind, independently, either 0 (half the time) or a small rate.
 */
export function faultRatesForSeed(seed: number): FaultRates {
  const next = splitmix32(fold(seed) ^ 0x5fa17e5);
  const rates = noFaults();
  if (next() % 4 === 0) return rates;
  for (const name of FAULT_NAMES) {
    const r = next();
    rates[name] = r % 2 === 0 ? 0 : FAULT_LEVELS[(r >>> 1) % FAULT_LEVELS.length]!;
  }
  return rates;
}

/** A run's fault rates when none are fixed: swarm draws its own mix (sim/strategies/swarm.ts). */
export function drawnFaultRates(strategy: RunStrategy, seed: number): FaultRates {
  return strategy.name === "swarm" ? swarmConfig(seed).rates : faultRatesForSeed(seed);
}

/** Parses a seed written by a user: a non-negative decimal integer. */
export function parseSeed(text: string, what = "seed"): number {
  if (!/^\d+$/.test(text)) throw new UsageError(`${what} must be a non-negative integer, got "${text}"`);
  const n = Number(text);
  if (!Number.isSafeInteger(n) || n > MAX_SEED) throw new UsageError(`${what} must be at most ${MAX_SEED}, got ${text}`);
  return n;
}

/* ------------------------------------------------------------------ replay commands */

export interface ReplaySpec {
  seed: number;
  /** A shipped scenario's name, or a scenario file's path. */
  scenario: string;
  faults: FaultRates;
  strategy?: RunStrategy;
  fixes: readonly string[];
  mutants: readonly string[];
  unit?: string;
  maxSteps?: number;
}

function shellQuote(s: string): string {
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}

/** Fault rates as the --faults argument writes them (null when all are zero). */
export function faultsArgument(faults: FaultRates): string | null {
  return FAULT_NAMES.every((n) => faults[n] === 0) ? null : JSON.stringify(faults);
}

/** The command line that reproduces one run exactly. */
export function replayCommand(spec: ReplaySpec): string {
  const parts = ["npx", "nxtsim", "replay", String(spec.seed), "--scenario", shellQuote(spec.scenario)];
  const faults = faultsArgument(spec.faults);
  if (faults !== null) parts.push("--faults", shellQuote(faults));
  parts.push(...strategyFlags(spec.strategy ?? RANDOM));
  for (const f of spec.fixes) parts.push("--fix", shellQuote(f));
  for (const m of spec.mutants) parts.push("--mutant", shellQuote(m));
  if (spec.unit !== undefined && spec.unit !== DEFAULT_UNIT) parts.push("--unit", shellQuote(spec.unit));
  if (spec.maxSteps !== undefined) parts.push("--max-steps", String(spec.maxSteps));
  return parts.join(" ");
}

/* ------------------------------------------------------------------ one run */

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

function fullRates(partial: Partial<FaultRates>): FaultRates {
  const rates = noFaults();
  for (const name of FAULT_KINDS) {
    const v = partial[name];
    if (v !== undefined) rates[name] = v;
  }
  return rates;
}

/* ------------------------------------------------------------------ explore */

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

export function shardRuns(shard: Shard, runs: number): ShardRuns {
  return {
    index: shard.index,
    count: shard.count,
    runs,
    first: runs === 0 ? null : runNumber(shard, 0),
    last: runs === 0 ? null : runNumber(shard, runs - 1),
  };
}

export function progressOf(p: PreparedExploration, tally: Tally, elapsedMs: number): ExploreProgress {
  return {
    runs: tally.runs,
    runsLimit: p.runsLimit,
    elapsedMs,
    timeLimitMs: p.timeLimitMs,
    events: tally.events,
    failedRuns: tally.failedRuns,
    distinctFailures: tally.distinct.length,
  };
}

export function resultOf(
  p: PreparedExploration,
  tally: Tally,
  stoppedBy: ExploreResult["stoppedBy"],
  timing: ExploreResult["timing"],
): ExploreResult {
  return { format: RESULT_FORMAT, spec: p.spec, shards: [shardRuns(p.plan.shard, tally.runs)], stoppedBy, ...tally, timing };
}

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
