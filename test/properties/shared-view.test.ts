// harness/checks.ts builds a run's view once and hands the same one to every check, which is
// only sound if no check changes what it reads. Here each check reads a deep-frozen view (a
// write to it throws: modules are strict) and must say what it says of a view of its own.

import { expect, it } from "vitest";

import { listScenarios } from "../../catalog/shipped-scenarios.ts";
import { runOnce } from "../../harness/explore-run.ts";
import { drawnFaultRates, runSeed } from "../../harness/explore-seeds.ts";
import { simRunView } from "../../harness/run-view.ts";
import { freezePlain } from "../../lifecycle/copy.ts";
import { ALL_CHECKS } from "../../properties/index.ts";
import { RANDOM } from "../../sim/strategies/index.ts";

it("no check changes the run view the checks share", () => {
  const scenarios = listScenarios();
  let failing = 0;
  for (let n = 0; n < 3 * scenarios.length; n++) {
    const scenario = scenarios[n % scenarios.length]!;
    const seed = runSeed(1, n);
    const run = runOnce(scenario, { seed, faults: drawnFaultRates(RANDOM, seed) });
    const own = ALL_CHECKS.map((c) => c.check(simRunView(run, scenario)));
    const shared = freezePlain(simRunView(run, scenario));
    expect(ALL_CHECKS.map((c) => c.check(shared))).toEqual(own);
    if (own.some((violations) => violations.length > 0)) failing++;
  }
  // Failing runs too: a check may only touch the view on its way to a violation.
  expect(failing).toBeGreaterThan(0);
});
