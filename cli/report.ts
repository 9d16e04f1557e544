// Text the CLI prints: the explore summary and the replay verdict.

import type { CheckVerdict } from "../harness/checks.ts";
import { runChecks } from "../harness/checks.ts";
import type { ExploreResult } from "../harness/explore-result.ts";
import { faultsArgument } from "../harness/replay-command.ts";
import { missingShards } from "../harness/result-file.ts";
import { fixesOf, type Cause } from "../harness/attribution.ts";
import type { FailureContext } from "../harness/failure-context.ts";
import { GENERATED, generatedScenarioPath } from "../harness/generated.ts";
import type { DistinctFailure } from "../harness/tally.ts";
import type { ShrinkNote } from "./explore-shrink.ts";
import type { FaultRates, RunResult } from "../sim/index.ts";
import { describeStrategy, type RunStrategy } from "../sim/strategies/index.ts";
import { unitVersionLine } from "../harness/model-options.ts";

export function describeFaults(faults: FaultRates): string {
  const set = Object.entries(faults).filter(([, v]) => v !== 0);
  return set.length === 0 ? "none" : set.map(([k, v]) => `${k} ${v}`).join(", ");
}

/** How a failure's cause reads (harness/attribution.ts): the fix that removes it, or new. */
export function causeLine(cause: Cause): string {
  return cause === null
    ? "new: no known fix removes it (the same run with each fix of lifecycle/options.ts still fails it)"
    : `known: ${cause} (the same run with ${fixesOf(cause).map((f) => `--fix ${f}`).join(" ")} does not fail it)`;
}

function list(values: readonly string[]): string {
  return values.length === 0 ? "none" : values.join(", ");
}

function shardLines(r: ExploreResult): string[] {
  if (r.shards.every((s) => s.count === 1)) return [];
  const lines = r.shards.map((s) => {
    const numbers = s.first === null ? "" : s.runs === 1 ? `, number ${s.first}` : `, numbers ${s.first} to ${s.last} step ${s.count}`;
    return `  shard ${s.index}/${s.count}: ${s.runs} runs${numbers}`;
  });
  const missing = missingShards(r.shards);
  if (missing.length > 0) lines.push(`  missing: ${missing.join(", ")} (this result covers only part of the exploration)`);
  return ["shards:", ...lines];
}

/** The summary of an exploration's result; `mergedFrom` when it was merged from result files. */
export function exploreSummary(r: ExploreResult, mergedFrom?: number, shrunk?: ReadonlyMap<DistinctFailure, ShrinkNote>): string {
  const seconds = r.timing.wallMs / 1000;
  const perSecond = seconds > 0 ? Math.round(r.events / seconds) : r.events;
  const scenarios = `${r.perScenario.length} scenario${r.perScenario.length === 1 ? "" : "s"}`;
  const options = `(base seed ${r.spec.baseSeed}, strategy ${describeStrategy(r.spec.strategy)}, stopped by ${r.stoppedBy === "interrupted" ? "an interrupt" : r.stoppedBy}; fixes: ${list(r.spec.fixes)}; mutants: ${list(r.spec.mutants)})`;
  const threads = r.timing.workers === 0 ? "" : `, ${r.timing.workers} worker thread${r.timing.workers === 1 ? "" : "s"}`;
  const out: string[] = [countsLine(r.distinct)];
  out.push(
    mergedFrom === undefined
      ? `explored ${r.runs} runs over ${scenarios} in ${seconds.toFixed(1)} s ${options}`
      : `merged ${mergedFrom} result${mergedFrom === 1 ? "" : "s"}: ${r.runs} runs over ${scenarios} in ${seconds.toFixed(1)} s of shard time ${options}`,
  );
  if (r.spec.unit !== undefined) out.push(`version: ${unitVersionLine(r.spec.unit)}`);
  out.push(...shardLines(r));
  out.push(`events: ${r.events} (${perSecond} events/s), steps: ${r.steps}${threads}`);
  if (r.budgetRuns > 0) out.push(...budgetLines(r));
  out.push(`coverage: ${r.transitions.length} distinct (process type, handshake state, message type) transitions`);
  out.push("runs per scenario:");
  const width = Math.max(...r.perScenario.map((s) => s.scenario.length));
  for (const s of r.perScenario) {
    out.push(
      `  ${s.scenario.padEnd(width)}  ${String(s.runs).padStart(6)} runs  ${String(s.events).padStart(9)} events  ${s.failedRuns} failed`,
    );
  }
  out.push(`checks: ${runChecks().map((c) => c.name).join(", ")}`);
  out.push(...failureLines(r.distinct, shrunk));
  return out.join("\n") + "\n";
}

/** Runs cut by their wall-clock budget: counted as runs, never as failures. */
function budgetLines(r: ExploreResult): string[] {
  const first = r.firstBudgetRun;
  return [
    `cut by the clock: ${r.budgetRuns} run${r.budgetRuns === 1 ? "" : "s"} went past the wall-clock budget of a run (--run-time); not deterministic, so not judged by the checks`,
    ...(first === null ? [] : [`  first: run ${first.run} on ${first.scenario}; replay: ${first.replay}`]),
  ];
}

/** The summary's first line: distinct failures new and known, and how many causes the known ones have. */
export function countsLine(distinct: readonly DistinctFailure[]): string {
  const known = distinct.filter((d) => d.cause !== null);
  const causes = new Set(known.map((d) => d.cause)).size;
  return `${distinct.length - known.length} new, ${known.length} known (${causes} cause${causes === 1 ? "" : "s"})`;
}

/** Which run found a failure first: a seed, or for a branched run (--strategy branch) where its copy was taken. */
function firstRun(d: DistinctFailure): string {
  const b = d.branched;
  if (b === undefined) return `first seed ${d.seed} (run ${d.run})`;
  return `first in run ${d.run} (branched from a copy of run ${b.run}'s world at step ${b.step}, a world begun from seed ${b.bootSeed}: the repro below replays it, no seed does)`;
}

/** The seed a generated failure's scenario was drawn from: a branched run's is that of its world's run from boot. */
export function scenarioSeed(d: DistinctFailure): number {
  return d.branched?.bootSeed ?? d.seed;
}

/** New failures in full, first; then the known ones, one line and one replay per cause. */
function failureLines(distinct: readonly DistinctFailure[], shrunk?: ReadonlyMap<DistinctFailure, ShrinkNote>): string[] {
  if (distinct.length === 0) return ["no failures"];
  const out: string[] = [];
  const fresh = distinct.filter((d) => d.cause === null);
  if (fresh.length > 0) {
    const count = fresh.reduce((n, d) => n + d.count, 0);
    out.push(`NEW FAILURES: ${count}, ${fresh.length} distinct (no known fix removes them):`);
    fresh.forEach((d, i) => {
      out.push(`  [${i + 1}] ${d.check} on ${d.scenario}: ${d.reason}`);
      out.push(`      count ${d.count}, ${firstRun(d)}, faults: ${describeFaults(d.faults)}`);
      out.push(`      replay: ${d.replay}`);
      if (d.scenario === GENERATED) out.push(`      scenario file: ${generatedScenarioPath(scenarioSeed(d))} (${d.branched === undefined ? "--scenario FILE replays it too" : "its scenario; the repro file holds it too"})`);
      const note = shrunk?.get(d);
      if (note !== undefined) out.push(note.replay === null ? `      ${note.detail}` : `      shrunk: ${note.replay} (${note.detail})`);
    });
  }
  const byCause = new Map<string, DistinctFailure[]>();
  for (const d of distinct) if (d.cause !== null) byCause.set(d.cause, [...(byCause.get(d.cause) ?? []), d]);
  if (byCause.size > 0) {
    out.push(`known (each removed by replaying its run with the fix on; --fix NAME explores with it):`);
    for (const [cause, ds] of [...byCause].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
      const count = ds.reduce((n, d) => n + d.count, 0);
      const checks = [...new Set(ds.map((d) => d.check))].join(", ");
      const scenarios = new Set(ds.map((d) => d.scenario)).size;
      const first = ds[0]!;
      out.push(`  ${cause}: ${count} failure${count === 1 ? "" : "s"} (${ds.length} distinct; ${checks}) on ${scenarios} scenario${scenarios === 1 ? "" : "s"}; e.g. ${first.check} on ${first.scenario}: ${first.reason}`);
      out.push(`      replay: ${first.replay}`);
    }
  }
  return out;
}

export interface ReplayReport {
  scenario: string;
  seed: number | string;
  strategy: RunStrategy;
  faults: FaultRates;
  fixes: readonly string[];
  mutants: readonly string[];
  /** The Unit version run, when not the default. */
  unit?: string;
  result: RunResult;
  hash: string;
  verdicts: CheckVerdict[];
  /** The cause of each failure, by check and reason (harness/attribution.ts). */
  causes: ReadonlyMap<string, Cause>;
  /** Where each failure shows, by check and reason (harness/failure-context.ts). */
  contexts?: ReadonlyMap<string, FailureContext>;
}

function contextLines(c: FailureContext | undefined): string[] {
  if (c === undefined) return [];
  const window = `trace with the same arguments and --from ${c.from}${c.step === null ? "" : ` --to ${c.step}`} draws them`;
  const where = c.step === null ? `at the end of the run (the processes' final state); its last events (${window}):` : `at step ${c.step}; the events leading to it (${window}):`;
  return [`        ${where}`, ...c.lead.map((l) => `          ${l}`)];
}

/** The key of a failure in ReplayReport.causes. */
export function failureKey(check: string, reason: string): string {
  return `${check}\u0000${reason}`;
}

export function replaySummary(r: ReplayReport): string {
  const out: string[] = [];
  const faults = faultsArgument(r.faults);
  const strategy = r.strategy.name === "random" ? "" : `, strategy ${describeStrategy(r.strategy)}`;
  out.push(
    `replay: scenario ${r.scenario}, seed ${r.seed}${strategy}, faults ${faults ?? "none"}, fixes: ${list(r.fixes)}, mutants: ${list(r.mutants)}`,
  );
  if (r.unit !== undefined) out.push(`version: ${unitVersionLine(r.unit)}`);
  out.push(`steps: ${r.result.steps}, events: ${r.result.events}, end: ${r.result.reason}`);
  out.push(`trace hash: ${r.hash}`);
  out.push("checks:");
  for (const v of r.verdicts) {
    if (v.ok) out.push(`  ok    ${v.check}`);
    for (const reason of v.reasons) {
      out.push(`  FAIL  ${v.check}: ${reason}`);
      out.push(`        ${causeLine(r.causes.get(failureKey(v.check, reason)) ?? null)}`);
      out.push(...contextLines(r.contexts?.get(failureKey(v.check, reason))));
    }
  }
  const failed = r.verdicts.reduce((n, v) => n + v.reasons.length, 0);
  out.push(failed === 0 ? "verdict: pass" : `verdict: FAIL (${failed} failure${failed === 1 ? "" : "s"})`);
  return out.join("\n") + "\n";
}
