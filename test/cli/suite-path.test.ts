// `nxtsim replay <seed> --path P`: the property-suite case whose seed and path npm test (via
// fast-check) printed, replayed from the command line: the same case the suite generated.

import fc from "fast-check";
import { describe, expect, it } from "vitest";

import { runScenarioOnSim } from "../../harness/run-sim.ts";
import { faultRatesArb, genomeArb, scenarioFromGenome, scheduleArb } from "../../properties/generators.ts";
import { SUITE_OPTIONS } from "../../properties/suite-case.ts";
import { expectOneLineError, runNxtsim, scratchDir } from "./helpers.ts";

const cwd = scratchDir();
const SEED = 20261124;

/** The (index+1)-th case a property over the suite's arbitraries is run with for SEED, run as the suite runs it. */
function suiteCaseHash(index: number): string {
  const seen: [Parameters<typeof scenarioFromGenome>[0], Parameters<typeof runScenarioOnSim>[1]["faults"], number[]][] = [];
  fc.check(
    fc.property(genomeArb, faultRatesArb, scheduleArb, (g, f, s) => {
      seen.push([g, f, s]);
      return true;
    }),
    { seed: SEED, numRuns: index + 1 },
  );
  const [genome, faults, schedule] = seen[index]!;
  const run = runScenarioOnSim(scenarioFromGenome(genome), { seed: 0, faults, replay: schedule, fixes: SUITE_OPTIONS.fixes ?? [], mutants: [] });
  return run.sim.traceHash();
}

describe("replay <seed> --path P", () => {
  it("replays the suite's case at that path: the same run, the same trace hash", async () => {
    const r = await runNxtsim(["replay", String(SEED), "--path", "2"], cwd);
    expect(r.stderr).toBe("");
    expect(r.stdout).toMatch(new RegExp(`^replay: scenario suite case \\(seed ${SEED}, path 2\\), .*fixes: 633, mutants: none$`, "m"));
    expect(r.stdout).toContain(`trace hash: ${suiteCaseHash(2)}`);
  });

  it("trace draws that case", async () => {
    const r = await runNxtsim(["trace", String(SEED), "--path", "2", "--format", "jsonl"], cwd);
    expect(r.code).toBe(0);
    expect(r.stdout.split("\n")[0]).toMatch(/^\{"step":0,/);
    expect(r.stderr).toMatch(new RegExp(`^trace: suite case \\(seed ${SEED}, path 2\\)`));
  });

  const cases: [string, string[], RegExp][] = [
    ["no seed", ["replay", "--path", "3"], /--path P needs the suite's seed too/],
    ["with --scenario", ["replay", "1", "--path", "3", "--scenario", "boot-only"], /takes no --scenario, --faults, --fix, --mutant, --unit, --strategy or --max-steps/],
    ["with --unit", ["replay", "1", "--path", "3", "--unit", "1.35"], /takes no .*--unit.* \(the suite's case has them; NXTSIM_UNIT names its Unit version\)/],
    ["a malformed path", ["replay", "1", "--path", "3:a"], /--path must be fast-check's path, numbers joined by ":", got "3:a"/],
    ["on the real kernel", ["replay", "1", "--path", "3", "--backend", "real"], /--path applies to the simulated kernel only/],
  ];
  for (const [what, args, message] of cases) {
    it(`bad input: ${what}`, async () => {
      const r = await runNxtsim(args, cwd);
      expectOneLineError(r);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(message);
    });
  }
});
