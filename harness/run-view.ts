// A finished run as the property checks see it. A run of a Unit version that renumbered the port
// messages is read by that version's codes as the checks know them (properties/unit-rules.ts),
// never by the model's table, and handed to the checks in c8d9106a's codes.

import type { RunView } from "../properties/check.ts";
import { memoOn } from "../properties/memo-on.ts";
import { c8d9106aCode, type UnitRulesVersion } from "../properties/unit-rules.ts";
import type { TraceEvent } from "../lifecycle/trace.ts";
import { buildHasNoNewPrivs } from "../lifecycle/options.ts";
import type { SimRun } from "./run-sim.ts";
import type { RealRun } from "../real/run-real.ts";
import { upstreamOf, unitVersion } from "./model-options.ts";

import type { Scenario } from "../catalog/scenario.ts";

export function simRunView(run: Pick<SimRun, "sim" | "result"> & { unit?: string }, scenario: Scenario): RunView {
  return viewOf(run.sim.trace, run.sim.processes(), run.result.reason === "quiescent", scenario, run.unit);
}

/** A finished real run as the property checks see it. */
export function realRunView(run: RealRun, scenario: Scenario, unit?: string): RunView {
  return viewOf(run.trace, run.facts, run.quiescent, scenario, unit);
}

function viewOf(trace: readonly TraceEvent[], facts: RunView["facts"], quiescent: boolean, scenario: Scenario, unitName: string | undefined): RunView {
  const unit: UnitRulesVersion = unitVersion(unitName);
  const upstream = upstreamOf({ unit });
  return {
    trace: unit === "c8d9106a" ? trace : inOldCodes(trace, unit),
    facts,
    quiescent,
    havePrSetNoNewPrivs: buildHasNoNewPrivs(scenario.unitd.havePrSetNoNewPrivs, upstream),
    initialConfig: scenario.config,
    unit,
  };
}

/** Every check of a run reads the same translation: made once per trace, kept on it. */
const TRANSLATED = Symbol("trace in c8d9106a codes");

/** A trace with its message codes as c8d9106a numbers them (for the pictures); the same trace for c8d9106a. */
export function traceInC8d9106aCodes(trace: readonly TraceEvent[], unitName: string | undefined): readonly TraceEvent[] {
  const unit: UnitRulesVersion = unitVersion(unitName);
  return unit === "c8d9106a" ? trace : inOldCodes(trace, unit);
}

function inOldCodes(trace: readonly TraceEvent[], unit: UnitRulesVersion): readonly TraceEvent[] {
  return memoOn(trace, TRANSLATED, () => trace.map((e) => eventInOldCodes(e, unit)));
}

function eventInOldCodes(e: TraceEvent, unit: UnitRulesVersion): TraceEvent {
  if (e.kind !== "send" && e.kind !== "recv") return e;
  const msg = e.msg as { type?: unknown } | null;
  if (typeof msg !== "object" || msg === null || typeof msg.type !== "number") return e;
  return { ...e, msg: { ...(e.msg as object), type: c8d9106aCode(unit, msg.type) } } as TraceEvent;
}
