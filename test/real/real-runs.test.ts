// The lifecycle model on the real Linux kernel: every shipped scenario and a sample of
// generated ones run for real, and the same property checks as in the sim hold.

import fc from "fast-check";
import { expect, test } from "vitest";

import type { Scenario } from "../../catalog/scenario.ts";
import { listScenarios } from "../../catalog/shipped-scenarios.ts";
import { realRunView } from "../../harness/run-view.ts";
import { genomeArb, scenarioFromGenome } from "../../properties/generators.ts";
import { checkRun, type Violation } from "../../properties/index.ts";
import { KNOWN_FIXES } from "../../lifecycle/options.ts";
import { processesOfRun } from "../../real/leftovers.ts";
import { runScenarioOnReal, type RealRun } from "../../real/run-real.ts";
import { childPids, describeReal } from "./native-helpers.ts";

/**
 * The repaired model: c8d9106a with every known fix on. A real run cannot be replayed with a
 * fix, so no violation of it can be attributed; with every known cause taken away, every
 * property must simply hold (the causes themselves are shown on the simulated kernel).
 */
const FIXES = [...KNOWN_FIXES];
const GENERATED_RUNS = 24;
const GENERATED_SEED = 20261124;

async function runAndCheck(scenario: Scenario): Promise<{ run: RealRun; unknown: Violation[] }> {
  const run = await runScenarioOnReal(scenario, { fixes: FIXES, timeScale: 0.2 });
  const violations = checkRun(realRunView(run, scenario));
  return { run, unknown: violations };
}

function describeRun(run: RealRun): string {
  return `${run.reason} after ${run.wallMs} ms, ${run.trace.length} events; processes: ${run.facts.map((f) => `${f.ptype} ${f.pid} ${f.status}`).join(", ")}`;
}

describeReal("real backend: shipped scenarios", () => {
  for (const scenario of listScenarios()) {
    test(`${scenario.name}: every property holds`, async () => {
      const { run, unknown } = await runAndCheck(scenario);
      expect(run.reason, describeRun(run)).not.toBe("timeout");
      expect(unknown, describeRun(run)).toEqual([]);
      // The run's processes really ran (not a run that died at once) ...
      expect(run.facts.map((f) => f.ptype)).toEqual(expect.arrayContaining(["main", "discovery", "controller", "router"]));
      // ... and none is left: not in the run, not as our zombie.
      expect(processesOfRun(run.runId)).toEqual([]);
      expect(childPids()).toEqual([]);
    });
  }
});

describeReal("real backend: generated scenarios", () => {
  const genomes = fc.sample(genomeArb, { seed: GENERATED_SEED, numRuns: GENERATED_RUNS });
  for (const [i, genome] of genomes.entries()) {
    test(`generated #${i} (seed ${GENERATED_SEED}): every property holds`, async () => {
      const scenario = scenarioFromGenome(genome);
      const { run, unknown } = await runAndCheck(scenario);
      expect(run.reason, `${JSON.stringify(genome)}\n${describeRun(run)}`).not.toBe("timeout");
      expect(unknown, `${JSON.stringify(genome)}\n${describeRun(run)}`).toEqual([]);
      expect(processesOfRun(run.runId)).toEqual([]);
    });
  }
});
