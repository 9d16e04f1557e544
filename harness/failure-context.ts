// Where a run's failures show: the step of each violation, and the events that lead to it,
// so that a replay says where to look (and `trace --from --to` can draw it).

import type { Scenario } from "../catalog/scenario.ts";
import type { TraceEvent } from "../lifecycle/trace.ts";
import { activeChecks } from "../properties/index.ts";
import { sceneOf } from "./pictures/scene.ts";
import { simRunView } from "./run-view.ts";
import type { SimRun } from "./run-sim.ts";

export interface FailureContext {
  /** The step at which the violation shows; null for a fact of the run's end state. */
  step: number | null;
  /** The last events up to that step, one line each ("step  process  what"). */
  lead: string[];
  /** The step of the first of them (for `trace --from`). */
  from: number;
}

/** How many events lead to a violation in a replay. */
export const LEAD_EVENTS = 6;

/** The context of every failure of a run, keyed by `key(check, reason)`. */
export function failureContexts(scenario: Scenario, run: Pick<SimRun, "sim" | "result">, key: (check: string, reason: string) => string, lead = LEAD_EVENTS): Map<string, FailureContext> {
  const trace = run.sim.trace;
  const out = new Map<string, FailureContext>();
  const add = (check: string, reason: string, step: number) => {
    const at = step < 0 ? null : step;
    if (out.has(key(check, reason))) return;
    const events = eventsUpTo(trace, at, lead);
    out.set(key(check, reason), { step: at, lead: events.map((e) => e.line), from: events[0]?.step ?? 0 });
  };
  // harness/checks.ts's `terminates` fails at the step budget.
  if (run.result.reason === "max-steps") add("terminates", `the run did not quiesce within ${run.result.steps} steps`, run.result.steps);
  const view = simRunView(run, scenario);
  for (const check of activeChecks()) for (const v of check.check(view)) add(check.name, v.reason, v.step);
  return out;
}

/** The last `n` events worth showing (no plain syscalls) at or before `step` (null: the end). */
export function eventsUpTo(trace: readonly TraceEvent[], step: number | null, n: number): { step: number; line: string }[] {
  const scene = sceneOf(trace);
  const shown = scene.events.filter((e) => e.tier !== "fine" && (step === null || e.event.step <= step)).slice(-n);
  const width = Math.max(0, ...shown.map((e) => scene.name(e.event.pid).length));
  return shown.map((e) => ({
    step: e.event.step,
    line: `step ${String(e.event.step).padStart(4)}  ${scene.name(e.event.pid).padEnd(width)}  ${e.loud ? `*** ${e.text} ***` : e.text}`,
  }));
}
