// Sim against real (issue 4, section 4): for every shipped scenario both kernels agree on the
// process tree, each process's port holdings, each handshake, the pid each process sees for
// itself and the REMOVE_PIDs after a kill. Where they disagree the sim is wrong.

import { expect, test } from "vitest";

import { listScenarios } from "../../catalog/shipped-scenarios.ts";
import { compareRuns, formatDiff } from "../../harness/conformance.ts";
import { runScenarioOnSim } from "../../harness/run-sim.ts";
import { realRunView, simRunView } from "../../harness/run-view.ts";
import { threadBase } from "../../real/pid-cursor.ts";
import { runScenarioOnReal } from "../../real/run-real.ts";
import { describeReal } from "./native-helpers.ts";

const FIXES = ["633"];

/**
 * Scenarios whose outcome is a race by design, so one sim seed cannot stand for every real
 * run: the real run must then be one of the sim's runs (of the first SIM_SEEDS seeds).
 */
const RACES: Readonly<Record<string, string>> = {
  "router-dies-at-stop": "main may handle the router's SIGCHLD (and restart it) before or after SIGTERM",
};
// The restart order needs the router's whole exit (its releases are steps of their own) and
// main's SIGCHLD before the SIGTERM action: about 1 sim run in 20, so 64 seeds missed it now
// and then; the loop stops at the first match.
const SIM_SEEDS = 600;

describeReal("conformance: sim against real", () => {
  for (const scenario of listScenarios()) {
    const race = RACES[scenario.name];
    test(`${scenario.name}: both kernels agree${race === undefined ? "" : " (the real run is one of the sim's runs)"}`, async () => {
      const real = realRunView(await runScenarioOnReal(scenario, { fixes: FIXES, timeScale: 0.2 }), scenario);
      const options = { kernelPickedFrom: threadBase(scenario.unitd.pidMax) };
      const diffsAt = (seed: number) => compareRuns(simRunView(runScenarioOnSim(scenario, { seed, fixes: FIXES }), scenario), real, options);
      let closest = diffsAt(1);
      for (let seed = 2; race !== undefined && closest.length > 0 && seed <= SIM_SEEDS; seed++) {
        const diffs = diffsAt(seed);
        if (diffs.length < closest.length) closest = diffs;
      }
      expect(closest, formatDiff(closest)).toEqual([]);
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
