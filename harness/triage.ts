// Triage of an exploration by cause: explore's runs (the same numbering, seeds and fault
// rates), and for every failing run a replay per fix of lifecycle/options.ts KNOWN_FIXES
// (harness/fix-replay.ts) that says which fixes remove each violation. The result is a
// function of the set of runs made, like explore's tally: counts add up and each distinct
// failure (check and reason with numbers normalised, over all scenarios) keeps its
// lowest-numbered examples, so shards merge in any order.

import type { FaultRates } from "../sim/index.ts";
import { attributeFailures, type AttributedFailure } from "./fix-replay.ts";
import type { ExplorePlan } from "./explore-plan.ts";
import { runPlanned } from "./explore-run.ts";
import { scenarioOfSlot } from "./generated.ts";
import { normaliseReason } from "./tally.ts";

/** How many examples a distinct failure keeps, of those a fix removes and of those none does. */
export const EXAMPLES_KEPT = 3;

/** One run that showed a failure: enough to replay it. */
export interface TriageExample {
  run: number;
  scenario: string;
  seed: number;
  faults: FaultRates;
  /** The exact reason in that run. */
  reason: string;
  /** The fixes whose replay removes it (empty: no single fix does). */
  removedBy: string[];
  /** When no single fix removes it: the pairs of fixes that do together. */
  removedByPair: string[];
}

export interface TriageEntry {
  check: string;
  normalised: string;
  count: number;
  /** Failures that no single fix removes. */
  unexplained: number;
  /** Of those, the ones no pair of fixes removes either. */
  unexplainedByPairs: number;
  /** For each fix, how many of the failures its replay removes. */
  byFix: Record<string, number>;
  /** Of those, how many in a replay that has a violation the run did not have. */
  byFixAddingOthers: Record<string, number>;
  /** For each pair of fixes, how many of the failures no single fix removes it removes. */
  byPair: Record<string, number>;
  /** Failures per scenario. */
  byScenario: Record<string, number>;
  /** The lowest-numbered runs whose failure some fix removes, and those none removes. */
  examples: TriageExample[];
  unexplainedExamples: TriageExample[];
}

export interface TriageTally {
  runs: number;
  failedRuns: number;
  /** Failing runs in which every violation is removed by some single fix. */
  explainedRuns: number;
  /** Failing runs in which every violation is removed by a single fix or a pair of fixes. */
  explainedRunsByPairs: number;
  failures: number;
  distinct: TriageEntry[];
}

export function emptyTriage(): TriageTally {
  return { runs: 0, failedRuns: 0, explainedRuns: 0, explainedRunsByPairs: 0, failures: 0, distinct: [] };
}

/** Makes the plan's j-th run (exactly as explore does) and attributes its failures. */
export function triageRun(plan: ExplorePlan, j: number): TriageTally {
  const outcome = runPlanned(plan, j)!; // no exploration end: never cut by one
  const tally = { ...emptyTriage(), runs: 1 };
  if (outcome.failures.length === 0) return tally;
  const { seed, faults } = outcome;
  const scenario = scenarioOfSlot(plan.scenarios[outcome.number % plan.scenarios.length]!, seed);
  const options = { seed, faults, strategy: plan.strategy, fixes: plan.fixes, mutants: plan.mutants, ...(plan.maxSteps === null ? {} : { maxSteps: plan.maxSteps }) };
  const attributed = attributeFailures(scenario, options, outcome.failures);
  const explained = attributed.every((a) => a.removedBy.length > 0);
  const byPairs = attributed.every((a) => a.removedBy.length > 0 || a.removedByPair.length > 0);
  const run = { ...tally, failedRuns: 1, explainedRuns: explained ? 1 : 0, explainedRunsByPairs: byPairs ? 1 : 0, failures: attributed.length };
  return attributed.reduce((t, a) => mergeTriage(t, { ...emptyTriage(), distinct: [entryOf(a, outcome.number, outcome.scenario, seed, faults)] }), run);
}

function entryOf(a: AttributedFailure, run: number, scenario: string, seed: number, faults: FaultRates): TriageEntry {
  const example: TriageExample = { run, scenario, seed, faults, reason: a.reason, removedBy: a.removedBy, removedByPair: a.removedByPair };
  const explained = a.removedBy.length > 0;
  return {
    check: a.check,
    normalised: normaliseReason(a.reason),
    count: 1,
    unexplained: explained ? 0 : 1,
    unexplainedByPairs: explained || a.removedByPair.length > 0 ? 0 : 1,
    byFix: Object.fromEntries(a.removedBy.map((f) => [f, 1])),
    byFixAddingOthers: Object.fromEntries(a.removedAddingOthers.map((f) => [f, 1])),
    byPair: Object.fromEntries(a.removedByPair.map((f) => [f, 1])),
    byScenario: { [scenario]: 1 },
    examples: explained ? [example] : [],
    unexplainedExamples: explained ? [] : [example],
  };
}

function addCounts(a: Record<string, number>, b: Record<string, number>): Record<string, number> {
  const out = { ...a };
  for (const [k, v] of Object.entries(b)) out[k] = (out[k] ?? 0) + v;
  return Object.fromEntries(Object.entries(out).sort(([x], [y]) => (x < y ? -1 : x > y ? 1 : 0)));
}

/** The lowest-numbered examples of both, one per run and scenario, at most EXAMPLES_KEPT. */
function firstExamples(a: readonly TriageExample[], b: readonly TriageExample[]): TriageExample[] {
  const all = [...a, ...b].sort((x, y) => x.run - y.run);
  const kept: TriageExample[] = [];
  for (const e of all) {
    if (kept.length === EXAMPLES_KEPT) break;
    if (!kept.some((k) => k.run === e.run)) kept.push(e);
  }
  return kept;
}

function mergeEntry(a: TriageEntry, b: TriageEntry): TriageEntry {
  return {
    check: a.check,
    normalised: a.normalised,
    count: a.count + b.count,
    unexplained: a.unexplained + b.unexplained,
    unexplainedByPairs: a.unexplainedByPairs + b.unexplainedByPairs,
    byFix: addCounts(a.byFix, b.byFix),
    byFixAddingOthers: addCounts(a.byFixAddingOthers, b.byFixAddingOthers),
    byPair: addCounts(a.byPair, b.byPair),
    byScenario: addCounts(a.byScenario, b.byScenario),
    examples: firstExamples(a.examples, b.examples),
    unexplainedExamples: firstExamples(a.unexplainedExamples, b.unexplainedExamples),
  };
}

function keyOf(e: Pick<TriageEntry, "check" | "normalised">): string {
  return `${e.check}: ${e.normalised}`;
}

/** Both tallies together (commutative and associative); distinct failures sorted by key. */
export function mergeTriage(a: TriageTally, b: TriageTally): TriageTally {
  const byKey = new Map(a.distinct.map((e) => [keyOf(e), e]));
  for (const e of b.distinct) {
    const seen = byKey.get(keyOf(e));
    byKey.set(keyOf(e), seen === undefined ? e : mergeEntry(seen, e));
  }
  const distinct = [...byKey.values()].sort((x, y) => (keyOf(x) < keyOf(y) ? -1 : keyOf(x) > keyOf(y) ? 1 : 0));
  return {
    runs: a.runs + b.runs,
    failedRuns: a.failedRuns + b.failedRuns,
    explainedRuns: a.explainedRuns + b.explainedRuns,
    explainedRunsByPairs: a.explainedRunsByPairs + b.explainedRunsByPairs,
    failures: a.failures + b.failures,
    distinct,
  };
}

/** The tally of the plan's runs from..to-1. */
export function triageRuns(plan: ExplorePlan, from: number, to: number, onRun?: (done: number) => void): TriageTally {
  let tally = emptyTriage();
  for (let j = from; j < to; j++) {
    tally = mergeTriage(tally, triageRun(plan, j));
    onRun?.(j + 1 - from);
  }
  return tally;
}
