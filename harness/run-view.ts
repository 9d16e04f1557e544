// A finished simulated run as the property checks see it.

import type { RunView } from "../properties/check.ts";
import type { SimRun } from "./run-sim.ts";

import type { Scenario } from "../fixtures/scenario.ts";

export function simRunView(run: Pick<SimRun, "sim" | "result">, scenario: Scenario): RunView {
  return {
    trace: run.sim.trace,
    facts: run.sim.processes(),
    quiescent: run.result.reason === "quiescent",
    havePrSetNoNewPrivs: scenario.unitd.havePrSetNoNewPrivs,
  };
}
