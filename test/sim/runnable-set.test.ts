// The scheduler keeps its runnable set up to date as events happen (scheduler.ts): at every
// step of every shipped scenario, with and without faults, the kept set is the one rebuilt
// from scratch, event for event and in order (SimOptions.checkRunnable throws otherwise).
// Shown failing with the queue's readiness change left out of sendDatagram.

import { describe, expect, it } from "vitest";

import { listScenarios } from "../../catalog/shipped-scenarios.ts";
import { runScenarioOnSim } from "../../harness/run-sim.ts";

const FAULTS = { killAtStep: 0.002, sendLost: 0.01, sendFail: 0.01, cloneFail: 0.01, mapWriteFail: 0.01 };

describe("the kept runnable set", () => {
  it("equals the rebuilt one at every step", () => {
    let steps = 0;
    for (const scenario of listScenarios()) {
      for (let seed = 0; seed < 20; seed++) {
        const run = runScenarioOnSim(scenario, { seed, checkRunnable: true, ...(seed % 2 === 1 ? { faults: FAULTS } : {}) });
        expect(run.result.reason).not.toBe("internal-error");
        steps += run.result.steps;
      }
    }
    expect(steps).toBeGreaterThan(10_000);
  }, 60_000);
});
