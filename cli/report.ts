// Text the CLI prints: the explore summary and the replay verdict.

import type { CheckVerdict } from "../harness/checks.ts";
import { RUN_CHECKS } from "../harness/checks.ts";
import { faultsArgument, type ExploreResult } from "../harness/explore.ts";
import { missingShards } from "../harness/result-file.ts";
import { isKnown } from "../properties/known.ts";
import type { FaultRates, RunResult } from "../sim/index.ts";
import { describeStrategy, type RunStrategy } from "../sim/strategies/index.ts";

export function describeFaults(faults: FaultRates): string {
  const set = Object.entries(faults).filter(([, v]) => v !== 0);
  return set.length === 0 ? "none" : set.map(([k, v]) => `${k} ${v}`).join(", ");
}

/**
 * The known c8d9106a finding a failure matches (properties/known.ts), for the default model
 * only: with a mutant on, the same symptom may be the mutant's doing.
 */
export function knownFindingLine(check: string, reason: string, mutants: readonly string[]): string | null {
  if (mutants.length > 0) return null;
  const known = isKnown({ check, reason, step: -1 });
  return known === undefined ? null : `known c8d9106a finding (properties/known.ts): ${known.why}`;
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
export function exploreSummary(r: ExploreResult, mergedFrom?: number): string {
  const seconds = r.timing.wallMs / 1000;
  const perSecond = seconds > 0 ? Math.round(r.events / seconds) : r.events;
  const scenarios = `${r.perScenario.length} scenario${r.perScenario.length === 1 ? "" : "s"}`;
  const options = `(base seed ${r.spec.baseSeed}, strategy ${describeStrategy(r.spec.strategy)}, stopped by ${r.stoppedBy}; fixes: ${list(r.spec.fixes)}; mutants: ${list(r.spec.mutants)})`;
  const threads = r.timing.workers === 0 ? "" : `, ${r.timing.workers} worker thread${r.timing.workers === 1 ? "" : "s"}`;
  const out: string[] = [];
  out.push(
    mergedFrom === undefined
      ? `explored ${r.runs} runs over ${scenarios} in ${seconds.toFixed(1)} s ${options}`
      : `merged ${mergedFrom} result${mergedFrom === 1 ? "" : "s"}: ${r.runs} runs over ${scenarios} in ${seconds.toFixed(1)} s of shard time ${options}`,
  );
  out.push(...shardLines(r));
  out.push(`events: ${r.events} (${perSecond} events/s), steps: ${r.steps}${threads}`);
  out.push(`coverage: ${r.transitions.length} distinct (process type, handshake state, message type) transitions`);
  out.push("runs per scenario:");
  const width = Math.max(...r.perScenario.map((s) => s.scenario.length));
  for (const s of r.perScenario) {
    out.push(
      `  ${s.scenario.padEnd(width)}  ${String(s.runs).padStart(6)} runs  ${String(s.events).padStart(9)} events  ${s.failedRuns} failed`,
    );
  }
  out.push(`checks: ${RUN_CHECKS.map((c) => c.name).join(", ")}`);
  if (r.distinct.length === 0) {
    out.push("no failures");
  } else {
    out.push(`FAILURES: ${r.failures} in ${r.failedRuns} of ${r.runs} runs, ${r.distinct.length} distinct:`);
    r.distinct.forEach((d, i) => {
      out.push(`  [${i + 1}] ${d.check} on ${d.scenario}: ${d.reason}`);
      out.push(`      count ${d.count}, first seed ${d.seed} (run ${d.run}), faults: ${describeFaults(d.faults)}`);
      out.push(`      replay: ${d.replay}`);
      const known = knownFindingLine(d.check, d.reason, r.spec.mutants);
      if (known !== null) out.push(`      ${known}`);
    });
  }
  return out.join("\n") + "\n";
}

export interface ReplayReport {
  scenario: string;
  seed: number | string;
  strategy: RunStrategy;
  faults: FaultRates;
  fixes: readonly string[];
  mutants: readonly string[];
  result: RunResult;
  hash: string;
  verdicts: CheckVerdict[];
}

export function replaySummary(r: ReplayReport): string {
  const out: string[] = [];
  const faults = faultsArgument(r.faults);
  const strategy = r.strategy.name === "random" ? "" : `, strategy ${describeStrategy(r.strategy)}`;
  out.push(
    `replay: scenario ${r.scenario}, seed ${r.seed}${strategy}, faults ${faults ?? "none"}, fixes: ${list(r.fixes)}, mutants: ${list(r.mutants)}`,
  );
  out.push(`steps: ${r.result.steps}, events: ${r.result.events}, end: ${r.result.reason}`);
  out.push(`trace hash: ${r.hash}`);
  out.push("checks:");
  for (const v of r.verdicts) {
    if (v.ok) out.push(`  ok    ${v.check}`);
    for (const reason of v.reasons) {
      out.push(`  FAIL  ${v.check}: ${reason}`);
      const known = knownFindingLine(v.check, reason, r.mutants);
      if (known !== null) out.push(`        ${known}`);
    }
  }
  const failed = r.verdicts.reduce((n, v) => n + v.reasons.length, 0);
  out.push(failed === 0 ? "verdict: pass" : `verdict: FAIL (${failed} failure${failed === 1 ? "" : "s"})`);
  return out.join("\n") + "\n";
}
