// The replay rule that attributes a violation to a cause: replay the run exactly (same
// scenario, seed, faults, strategy, other fixes and mutants) with one more fix X switched on.
// The sim draws every choice from the seed's stream, so the fixed run is the original one up
// to the first step where the fixed code acts otherwise; X removes violation V when the fixed
// run has no violation with V's check and V's exact reason. This is the triage's view of the
// rule (harness/attribution.ts gives explore, replay, shrink and the suite each failure's
// first removing fix): every fix that removes each failure, the ones that add another, and
// pairs of fixes for a failure no single fix removes.

import type { Scenario } from "../catalog/scenario.ts";
import { KNOWN_FIXES } from "../lifecycle/options.ts";
import { checkRun, type CheckFailure } from "./checks.ts";
import { runOnce, type OneRunOptions } from "./explore-run.ts";

/** One run's failures, made as explore and replay make it. */
export function failuresOf(scenario: Scenario, o: OneRunOptions): CheckFailure[] {
  return checkRun({ scenario, ...runOnce(scenario, o) });
}

/** Whether `fixed` (the failures of the run with the fix on) still has violation `v`. */
export function stillFails(fixed: readonly CheckFailure[], v: CheckFailure): boolean {
  return fixed.some((f) => f.check === v.check && f.reason === v.reason);
}

/** One failure of a run and the fixes whose replay removes it. */
export interface AttributedFailure extends CheckFailure {
  removedBy: string[];
  /** Those of removedBy whose replay also has a violation the run did not have. */
  removedAddingOthers: string[];
  /** Only for a failure no single fix removes: the pairs of fixes ("a+b") whose replay together removes it. */
  removedByPair: string[];
}

/**
 * Replays the run once per fix of `candidates` not already on, and says for each of the run's
 * failures which of them remove it. `failures` are the run's own (made with `o`).
 */
export function attributeFailures(
  scenario: Scenario,
  o: OneRunOptions,
  failures: readonly CheckFailure[],
  candidates: readonly string[] = KNOWN_FIXES,
): AttributedFailure[] {
  const on = o.fixes ?? [];
  const replays = candidates
    .filter((fix) => !on.includes(fix))
    .map((fix) => ({ fix, fixed: failuresOf(scenario, { ...o, fixes: [...on, fix] }) }))
    .map((r) => ({ ...r, adds: r.fixed.some((f) => !stillFails(failures, f)) }));
  const attributed = failures.map((v) => {
    const removing = replays.filter((r) => !stillFails(r.fixed, v));
    return { ...v, removedBy: removing.map((r) => r.fix), removedAddingOthers: removing.filter((r) => r.adds).map((r) => r.fix), removedByPair: [] as string[] };
  });
  const left = attributed.filter((a) => a.removedBy.length === 0);
  if (left.length === 0) return attributed;
  // Two causes in one run: no single fix removes what both produce; try the fixes in pairs.
  const off = replays.map((r) => r.fix);
  for (let i = 0; i < off.length; i++) {
    for (let j = i + 1; j < off.length; j++) {
      const fixed = failuresOf(scenario, { ...o, fixes: [...on, off[i]!, off[j]!] });
      for (const a of left) if (!stillFails(fixed, a)) a.removedByPair.push(`${off[i]}+${off[j]}`);
    }
  }
  return attributed;
}
