// Text the CLI prints: the explore summary and the replay verdict.

import type { CheckVerdict } from "../harness/checks.ts";
import { RUN_CHECKS } from "../harness/checks.ts";
import { faultsArgument, type ExploreResult } from "../harness/explore.ts";
import type { FaultRates, RunResult } from "../sim/index.ts";

export function describeFaults(faults: FaultRates): string {
  const set = Object.entries(faults).filter(([, v]) => v !== 0);
  return set.length === 0 ? "none" : set.map(([k, v]) => `${k} ${v}`).join(", ");
}

function list(values: readonly string[]): string {
  return values.length === 0 ? "none" : values.join(", ");
}

export function exploreSummary(r: ExploreResult): string {
  const seconds = r.wallMs / 1000;
  const perSecond = seconds > 0 ? Math.round(r.events / seconds) : r.events;
  const out: string[] = [];
  out.push(
    `explored ${r.runs} runs over ${r.perScenario.length} scenario${r.perScenario.length === 1 ? "" : "s"} ` +
      `in ${seconds.toFixed(1)} s (base seed ${r.baseSeed}, stopped by ${r.stoppedBy}; fixes: ${list(r.fixes)}; mutants: ${list(r.mutants)})`,
  );
  out.push(`events: ${r.events} (${perSecond} events/s), steps: ${r.steps}`);
  out.push("runs per scenario:");
  const width = Math.max(...r.perScenario.map((s) => s.scenario.length));
  for (const s of r.perScenario) {
    out.push(
      `  ${s.scenario.padEnd(width)}  ${String(s.runs).padStart(6)} runs  ${String(s.events).padStart(9)} events  ${s.failedRuns} failed`,
    );
  }
  out.push(`checks: ${RUN_CHECKS.map((c) => c.name).join(", ")}`);
  const failedRuns = r.runRecords.filter((x) => x.failures > 0).length;
  if (r.distinct.length === 0) {
    out.push("no failures");
  } else {
    out.push(`FAILURES: ${r.failures.length} in ${failedRuns} of ${r.runs} runs, ${r.distinct.length} distinct:`);
    r.distinct.forEach((d, i) => {
      out.push(`  [${i + 1}] ${d.check} on ${d.scenario}: ${d.reason}`);
      out.push(`      count ${d.count}, first seed ${d.seed}, faults: ${describeFaults(d.faults)}`);
      out.push(`      replay: ${d.replay}`);
    });
  }
  return out.join("\n") + "\n";
}

export interface ReplayReport {
  scenario: string;
  seed: number | string;
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
  out.push(
    `replay: scenario ${r.scenario}, seed ${r.seed}, faults ${faults ?? "none"}, fixes: ${list(r.fixes)}, mutants: ${list(r.mutants)}`,
  );
  out.push(`steps: ${r.result.steps}, events: ${r.result.events}, end: ${r.result.reason}`);
  out.push(`trace hash: ${r.hash}`);
  out.push("checks:");
  for (const v of r.verdicts) {
    if (v.ok) out.push(`  ok    ${v.check}`);
    for (const reason of v.reasons) out.push(`  FAIL  ${v.check}: ${reason}`);
  }
  const failed = r.verdicts.reduce((n, v) => n + v.reasons.length, 0);
  out.push(failed === 0 ? "verdict: pass" : `verdict: FAIL (${failed} failure${failed === 1 ? "" : "s"})`);
  return out.join("\n") + "\n";
}
