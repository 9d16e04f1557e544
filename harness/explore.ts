// Exploration: many seeded runs over a set of scenarios, each judged by the run-level checks.
//
// Run i gets its seed from the base seed alone (runSeed), round-robin over the scenarios,
// and (unless fixed rates are given) fault rates drawn from its own seed (faultRatesForSeed).
// Nothing a run does depends on wall time, Math.random or the host: wall time only decides
// how many runs are made when a time budget is given. Every failure carries the exact
// `nxtsim replay` command that reproduces its run.

import type { Scenario } from "../fixtures/scenario.ts";
import { FAULT_KINDS, noFaults, type FaultRates } from "../sim/index.ts";
import { checkRun, RUN_CHECKS, type RunCheck } from "./checks.ts";
import { modelOptionsFor, UsageError } from "./model-options.ts";
import { runScenarioOnSim, type SimRun } from "./run-sim.ts";

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

export interface ExploreOptions {
  /** Scenarios, run round-robin in this order (at least one). */
  scenarios: readonly Scenario[];
  /** How each scenario is named in replay commands (a file path for a scenario file); default its name. */
  refs?: readonly (string | undefined)[];
  /** Stop after this many runs. */
  runs?: number;
  /** Stop once this much wall time has passed (checked between runs). Default 15 s when `runs` is not given. */
  timeSeconds?: number;
  /** Base seed (default DEFAULT_BASE_SEED). */
  seed?: number;
  /** Fixed fault rates for every run; default: drawn per run from its seed. */
  faults?: Partial<FaultRates>;
  fixes?: readonly string[];
  mutants?: readonly string[];
  maxSteps?: number;
  checks?: readonly RunCheck[];
  onProgress?: (p: ExploreProgress) => void;
  /** Wall clock in ms (for tests); default performance.now. */
  now?: () => number;
}

export interface ExploreProgress {
  runs: number;
  /** The run budget, when one was given. */
  runsLimit: number | null;
  elapsedMs: number;
  /** The time budget in ms, when one applies. */
  timeLimitMs: number | null;
  events: number;
  failedRuns: number;
  distinctFailures: number;
}

export interface RunRecord {
  scenario: string;
  seed: number;
  faults: FaultRates;
  steps: number;
  events: number;
  reason: string;
  failures: number;
}

export interface FailureRecord {
  check: string;
  reason: string;
  scenario: string;
  seed: number;
  faults: FaultRates;
  replay: string;
}

export interface DistinctFailure extends FailureRecord {
  /** The reason with pids and other numbers replaced: what makes two failures the same. */
  normalised: string;
  /** How many failures (over all runs) had this check, scenario and normalised reason. */
  count: number;
}

export interface ScenarioStats {
  scenario: string;
  runs: number;
  steps: number;
  events: number;
  failedRuns: number;
}

export interface ExploreResult {
  baseSeed: number;
  fixes: string[];
  mutants: string[];
  runs: number;
  steps: number;
  events: number;
  wallMs: number;
  /** "runs" or "time": what ended the exploration. */
  stoppedBy: "runs" | "time";
  perScenario: ScenarioStats[];
  runRecords: RunRecord[];
  failures: FailureRecord[];
  distinct: DistinctFailure[];
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
  fixes: readonly string[];
  mutants: readonly string[];
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
  for (const f of spec.fixes) parts.push("--fix", shellQuote(f));
  for (const m of spec.mutants) parts.push("--mutant", shellQuote(m));
  if (spec.maxSteps !== undefined) parts.push("--max-steps", String(spec.maxSteps));
  return parts.join(" ");
}

/* ------------------------------------------------------------------ one run */

export interface OneRunOptions {
  seed: number;
  faults: FaultRates;
  fixes?: readonly string[];
  mutants?: readonly string[];
  maxSteps?: number;
}

/** One run exactly as explore and replay make it. */
export function runOnce(scenario: Scenario, o: OneRunOptions): SimRun {
  return runScenarioOnSim(scenario, {
    seed: o.seed,
    faults: o.faults,
    fixes: o.fixes ?? [],
    mutants: o.mutants ?? [],
    ...(o.maxSteps === undefined ? {} : { maxSteps: o.maxSteps }),
  });
}

/** Numbers (pids, steps, fds, ids) replaced so that the same failure on other pids counts once. */
export function normaliseReason(reason: string): string {
  return reason.replace(/\d+/g, "N");
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

export function explore(options: ExploreOptions): ExploreResult {
  const scenarios = options.scenarios;
  if (scenarios.length === 0) throw new UsageError("no scenario to explore");
  const runsLimit = options.runs ?? null;
  if (runsLimit !== null && !(Number.isSafeInteger(runsLimit) && runsLimit >= 1)) {
    throw new UsageError(`runs must be a positive integer, got ${runsLimit}`);
  }
  const timeSeconds = options.timeSeconds ?? (runsLimit === null ? DEFAULT_TIME_SECONDS : null);
  if (timeSeconds !== null && !(timeSeconds > 0 && Number.isFinite(timeSeconds))) {
    throw new UsageError(`time must be a positive number of seconds, got ${timeSeconds}`);
  }
  const timeLimitMs = timeSeconds === null ? null : timeSeconds * 1000;
  const baseSeed = options.seed ?? DEFAULT_BASE_SEED;
  const fixes = [...(options.fixes ?? [])];
  const mutants = [...(options.mutants ?? [])];
  const checks = options.checks ?? RUN_CHECKS;
  const fixedFaults = options.faults === undefined ? null : fullRates(options.faults);
  // Unknown fixes or mutants are bad usage: find out before the first run.
  for (const s of scenarios) modelOptionsFor(s, { fixes, mutants });

  const now = options.now ?? (() => performance.now());
  const start = now();
  const perScenario = new Map<string, ScenarioStats>();
  const refOf = (i: number): string => options.refs?.[i] ?? scenarios[i]!.name;
  for (let k = 0; k < scenarios.length; k++) {
    const key = refOf(k);
    if (!perScenario.has(key)) perScenario.set(key, { scenario: key, runs: 0, steps: 0, events: 0, failedRuns: 0 });
  }
  const runRecords: RunRecord[] = [];
  const failures: FailureRecord[] = [];
  const distinct = new Map<string, DistinctFailure>();
  let steps = 0;
  let events = 0;
  let failedRuns = 0;
  let stoppedBy: ExploreResult["stoppedBy"] = "runs";

  for (let i = 0; ; i++) {
    if (runsLimit !== null && i >= runsLimit) {
      stoppedBy = "runs";
      break;
    }
    if (timeLimitMs !== null && now() - start >= timeLimitMs) {
      stoppedBy = "time";
      break;
    }
    const scenario = scenarios[i % scenarios.length]!;
    const ref = refOf(i % scenarios.length);
    const seed = runSeed(baseSeed, i);
    const faults = fixedFaults ?? faultRatesForSeed(seed);
    const run = runOnce(scenario, {
      seed,
      faults,
      fixes,
      mutants,
      ...(options.maxSteps === undefined ? {} : { maxSteps: options.maxSteps }),
    });
    const found = checkRun({ scenario, ...run }, checks);
    const replay = replayCommand({
      seed,
      scenario: ref,
      faults,
      fixes,
      mutants,
      ...(options.maxSteps === undefined ? {} : { maxSteps: options.maxSteps }),
    });

    steps += run.result.steps;
    events += run.result.events;
    const stats = perScenario.get(ref)!;
    stats.runs++;
    stats.steps += run.result.steps;
    stats.events += run.result.events;
    if (found.length > 0) {
      stats.failedRuns++;
      failedRuns++;
    }
    runRecords.push({
      scenario: ref,
      seed,
      faults,
      steps: run.result.steps,
      events: run.result.events,
      reason: run.result.reason,
      failures: found.length,
    });
    for (const f of found) {
      const record: FailureRecord = { check: f.check, reason: f.reason, scenario: ref, seed, faults, replay };
      failures.push(record);
      const normalised = normaliseReason(f.reason);
      const key = JSON.stringify([f.check, ref, normalised]);
      const seen = distinct.get(key);
      if (seen === undefined) distinct.set(key, { ...record, normalised, count: 1 });
      else seen.count++;
    }
    options.onProgress?.({
      runs: i + 1,
      runsLimit,
      elapsedMs: now() - start,
      timeLimitMs,
      events,
      failedRuns,
      distinctFailures: distinct.size,
    });
  }

  return {
    baseSeed,
    fixes,
    mutants,
    runs: runRecords.length,
    steps,
    events,
    wallMs: now() - start,
    stoppedBy,
    perScenario: [...perScenario.values()],
    runRecords,
    failures,
    distinct: [...distinct.values()],
  };
}
