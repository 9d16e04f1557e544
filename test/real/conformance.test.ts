// Sim against real (issue 4, section 4): for every shipped scenario both kernels agree on the
// process tree, each process's port holdings, each handshake, the pid each process sees for
// itself and the REMOVE_PIDs after a kill. Where they disagree the sim is wrong.

import { expect, test } from "vitest";

import { listScenarios } from "../../fixtures/scenario.ts";
import { compareRuns, formatDiff } from "../../harness/conformance.ts";
import { runScenarioOnSim } from "../../harness/run-sim.ts";
import { realRunView, simRunView } from "../../harness/run-view.ts";
import { threadBase } from "../../real/pid-cursor.ts";
import { runScenarioOnReal } from "../../real/run-real.ts";
import { describeReal } from "./native-helpers.ts";

const FIXES = ["633"];

describeReal("conformance: sim against real", () => {
  for (const scenario of listScenarios()) {
    test(`${scenario.name}: both kernels agree`, async () => {
      const sim = runScenarioOnSim(scenario, { seed: 1, fixes: FIXES });
      const real = await runScenarioOnReal(scenario, { fixes: FIXES, timeScale: 0.2 });
      const diffs = compareRuns(simRunView(sim, scenario), realRunView(real, scenario), { kernelPickedFrom: threadBase(scenario.unitd.pidMax) });
      expect(diffs, formatDiff(diffs)).toEqual([]);
    });
  }

  test("a difference is found and shown: the keep-all mutant in the sim against the real default", async () => {
    const scenario = listScenarios().find((s) => s.name === "one-app-two-processes")!;
    const sim = runScenarioOnSim(scenario, { seed: 1, fixes: FIXES, mutants: ["keep-all"] });
    const real = await runScenarioOnReal(scenario, { fixes: FIXES });
    const diffs = compareRuns(simRunView(sim, scenario), realRunView(real, scenario), { kernelPickedFrom: threadBase(scenario.unitd.pidMax) });
    expect(diffs.map((d) => d.aspect)).toContain("port holdings");
    const text = formatDiff(diffs);
    expect(text).toMatch(/^port holdings:$/m);
    expect(text).toMatch(/^ {2}- sim: {2}app\(a\)#1 holds ports to \[/m);
    expect(text).toMatch(/^ {2}\+ real: app\(a\)#1 holds ports to \[/m);
  });
});
