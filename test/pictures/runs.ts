// Runs the picture tests draw: the #633 fixture's recorded run, and runs with faults (failed
// and lost sends, kills) and with many processes.

import { loadBugFixture, runBugFixture } from "../../catalog/bugs.ts";
import { scenarioByName } from "../../catalog/shipped-scenarios.ts";
import { runOnce } from "../../harness/explore-run.ts";
import type { TraceEvent } from "../../lifecycle/trace.ts";
import { faultRates } from "../../sim/faults.ts";

export function bug633Trace(): readonly TraceEvent[] {
  return runBugFixture(loadBugFixture("633")).run.sim.trace;
}

export function shippedTrace(name: string, seed: number, faults: Parameters<typeof faultRates>[0] = {}): readonly TraceEvent[] {
  const r = scenarioByName(name);
  if (!r.ok) throw new Error(r.error);
  return runOnce(r.scenario, { seed, faults: faultRates(faults) }).sim.trace;
}

/** Fault rates that make failed sends (EAGAIN), lost sends (EPIPE), clone failures and kills. */
export const HEAVY_FAULTS = { cloneFail: 0.05, sendFail: 0.1, sendLost: 0.05, killAtStep: 0.02, mapWriteFail: 0.05 };
