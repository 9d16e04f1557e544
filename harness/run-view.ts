// A finished simulated run as the property checks see it.

import type { RunView } from "../properties/check.ts";
import type { SimRun } from "./run-sim.ts";
import type { RealRun } from "../real/run-real.ts";

import type { Scenario } from "../fixtures/scenario.ts";

export function simRunView(run: Pick<SimRun, "sim" | "result">, scenario: Scenario): RunView {
  return {
    trace: run.sim.trace,
    facts: run.sim.processes(),
    quiescent: run.result.reason === "quiescent",
    havePrSetNoNewPrivs: scenario.unitd.havePrSetNoNewPrivs,
    initialConfig: scenario.config,
  };
}

/** A finished real run as the property checks see it. */
export function realRunView(run: RealRun, scenario: Scenario): RunView {
  return { trace: run.trace, facts: run.facts, quiescent: run.quiescent, havePrSetNoNewPrivs: scenario.unitd.havePrSetNoNewPrivs, initialConfig: scenario.config };
}
