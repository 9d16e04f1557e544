// The README's example property: it fails on the mutant that breaks the send matrix and
// holds on every shipped scenario of the model as it is.
import { expect, test } from "vitest";

import type { Scenario } from "../../catalog/scenario.ts";
import { listScenarios, scenarioByName } from "../../catalog/shipped-scenarios.ts";
import { runScenarioOnSim } from "../../harness/run-sim.ts";
import { simRunView } from "../../harness/run-view.ts";
import { appsLearnNoPorts } from "../../properties/examples/apps-learn-no-ports.ts";

function reasons(scenario: Scenario, mutants: string[]): string[] {
  const run = runScenarioOnSim(scenario, { seed: 1, fixes: [], mutants });
  return appsLearnNoPorts.check(simRunView(run, scenario)).map((v) => v.reason);
}

test("fails on --mutant send-all", () => {
  const r = scenarioByName("one-app-two-processes");
  if (!r.ok) throw new Error(r.error);
  expect(reasons(r.scenario, ["send-all"])).toEqual(["app 105 received a NEW_PORT from pid 104"]);
});

test("holds on every shipped scenario without it", () => {
  for (const scenario of listScenarios()) expect(reasons(scenario, [])).toEqual([]);
});
