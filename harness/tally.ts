// What an exploration found, as a function of the SET of runs it made: counts add up, and each
// distinct failure (check, scenario, reason with numbers normalised, cause) is represented by its
// lowest-numbered run. So tallies merge in any order (runs in any order, chunks from workers in
// the order they finish, shard result files) and give the same answer. Plain JSON data: it
// crosses worker threads and is written to result files as is.

import type { FaultRates } from "../sim/index.ts";
import type { Attributed, Cause } from "./attribution.ts";
import type { CheckFailure } from "./checks.ts";
import { unionTransitions } from "./coverage.ts";

/**
 * Where a branched run (explore --strategy branch) went on from: a copy of the world taken in
 * an earlier run. Its seed alone does not make it again; its replay line (a repro) does.
 */
export interface BranchOrigin {
  /** The run in which the copy was taken, and the step it was taken at. */
  run: number;
  step: number;
  /** The seed of the run from boot that world began as (a copy taken in a branched run keeps it): its scenario and fault rates. */
  bootSeed: number;
}

/** One finished run, as the explorer saw it. */
export interface RunOutcome {
  /** Exploration-wide run number (see shard.ts): its seed is runSeed(baseSeed, number). */
  number: number;
  /** The scenario as replay commands name it (shipped name or file path). */
  scenario: string;
  seed: number;
  faults: FaultRates;
  steps: number;
  events: number;
  /** Each with its cause (harness/attribution.ts): the fix that removes it, or null (new). */
  failures: readonly Attributed<CheckFailure>[];
  /** The command that replays this run. */
  replay: string;
  /** The run's (process type, handshake state, message type) transitions (harness/coverage.ts). */
  transitions: readonly string[];
  /** Cut by its wall-clock budget (harness/wall-budget.ts): not deterministic, so not judged. */
  overBudget: boolean;
  /** A branched run's origin (absent: a run from boot, which its seed makes again). */
  branched?: BranchOrigin;
}

/** The lowest-numbered run cut by its wall-clock budget. */
export interface BudgetExample {
  run: number;
  scenario: string;
  replay: string;
}

export interface ScenarioStats {
  scenario: string;
  runs: number;
  steps: number;
  events: number;
  failedRuns: number;
}

export interface DistinctFailure {
  check: string;
  scenario: string;
  /** The reason as the representative run gave it. */
  reason: string;
  /** The reason with pids and other numbers replaced: with check, scenario and cause, what makes two failures the same. */
  normalised: string;
  /** The fix that removes it in its representative run (harness/attribution.ts), or null: new. */
  cause: Cause;
  /** How many failures (over all runs) had this check, scenario and normalised reason. */
  count: number;
  /** The representative: the lowest-numbered run that had this failure. */
  run: number;
  /** Its place among that run's failures (orders distinct failures first seen in one run). */
  position: number;
  seed: number;
  faults: FaultRates;
  replay: string;
  /** The representative's origin when it was a branched run: then `seed` alone does not make it again. */
  branched?: BranchOrigin;
}

export interface Tally {
  runs: number;
  steps: number;
  events: number;
  /** Failures over all runs (a run may fail several checks). */
  failures: number;
  failedRuns: number;
  /** One entry per distinct scenario, in the order the exploration names them. */
  perScenario: ScenarioStats[];
  /** Ordered by representative run, then position: the order one sequential run finds them. */
  distinct: DistinctFailure[];
  /** Distinct transitions reached by any run, sorted (harness/coverage.ts). */
  transitions: string[];
  /** Runs cut by their wall-clock budget (counted in runs; no steps, events or failures of theirs). */
  budgetRuns: number;
  firstBudgetRun: BudgetExample | null;
}

/** Numbers (pids, steps, fds, ids) replaced so that the same failure on other pids counts once. */
export function normaliseReason(reason: string): string {
  return reason.replace(/\d+/g, "N");
}

export function emptyTally(scenarios: readonly string[]): Tally {
  const names = [...new Set(scenarios)];
  return {
    runs: 0,
    steps: 0,
    events: 0,
    failures: 0,
    failedRuns: 0,
    perScenario: names.map((scenario) => ({ scenario, runs: 0, steps: 0, events: 0, failedRuns: 0 })),
    distinct: [],
    transitions: [],
    budgetRuns: 0,
    firstBudgetRun: null,
  };
}

/** The tally of one run. */
export function tallyOf(o: RunOutcome, scenarios: readonly string[]): Tally {
  const failedRuns = o.failures.length > 0 ? 1 : 0;
  const empty = emptyTally(scenarios);
  if (!empty.perScenario.some((s) => s.scenario === o.scenario)) {
    throw new Error(`run ${o.number}: scenario ${o.scenario} is not one of the exploration's`);
  }
  const perScenario = empty.perScenario.map((s) =>
    s.scenario === o.scenario ? { ...s, runs: 1, steps: o.steps, events: o.events, failedRuns } : s,
  );
  const distinct: DistinctFailure[] = [];
  o.failures.forEach((f, position) => {
    const normalised = normaliseReason(f.reason);
    const seen = distinct.find((d) => sameFailure(d, { check: f.check, scenario: o.scenario, normalised, cause: f.cause }));
    if (seen !== undefined) seen.count++;
    else {
      const { number: run, seed, faults, replay } = o;
      const branched = o.branched === undefined ? {} : { branched: o.branched };
      distinct.push({ check: f.check, scenario: o.scenario, reason: f.reason, normalised, cause: f.cause, count: 1, run, position, seed, faults, replay, ...branched });
    }
  });
  const budget = o.overBudget ? { budgetRuns: 1, firstBudgetRun: { run: o.number, scenario: o.scenario, replay: o.replay } } : { budgetRuns: 0, firstBudgetRun: null };
  return { runs: 1, steps: o.steps, events: o.events, failures: o.failures.length, failedRuns, perScenario, distinct, transitions: [...o.transitions], ...budget };
}

function sameFailure(a: Pick<DistinctFailure, "check" | "scenario" | "normalised" | "cause">, b: typeof a): boolean {
  return a.check === b.check && a.scenario === b.scenario && a.normalised === b.normalised && a.cause === b.cause;
}

function firstOf(a: DistinctFailure, b: DistinctFailure): DistinctFailure {
  return a.run < b.run || (a.run === b.run && a.position <= b.position) ? a : b;
}

/** Both tallies together (commutative and associative). Both must name the same scenarios. */
export function mergeTallies(a: Tally, b: Tally): Tally {
  const names = a.perScenario.map((s) => s.scenario);
  if (names.join("\n") !== b.perScenario.map((s) => s.scenario).join("\n")) {
    throw new Error("cannot merge tallies of different scenarios");
  }
  const perScenario = a.perScenario.map((s, i) => {
    const o = b.perScenario[i]!;
    return {
      scenario: s.scenario,
      runs: s.runs + o.runs,
      steps: s.steps + o.steps,
      events: s.events + o.events,
      failedRuns: s.failedRuns + o.failedRuns,
    };
  });
  const distinct = a.distinct.map((d) => ({ ...d }));
  for (const d of b.distinct) {
    const i = distinct.findIndex((x) => sameFailure(x, d));
    if (i < 0) distinct.push({ ...d });
    else distinct[i] = { ...firstOf(distinct[i]!, d), count: distinct[i]!.count + d.count };
  }
  distinct.sort((x, y) => x.run - y.run || x.position - y.position);
  return {
    runs: a.runs + b.runs,
    steps: a.steps + b.steps,
    events: a.events + b.events,
    failures: a.failures + b.failures,
    failedRuns: a.failedRuns + b.failedRuns,
    perScenario,
    distinct,
    transitions: unionTransitions(a.transitions, b.transitions),
    budgetRuns: a.budgetRuns + b.budgetRuns,
    firstBudgetRun: [a.firstBudgetRun, b.firstBudgetRun].reduce((x, y) => (x === null || (y !== null && y.run < x.run) ? y : x), null),
  };
}
