// `explore --strategy branch`: runs that go on from copies of worlds that reached something
// new. It finds #600 (a known Unit bug, lifecycle/options.ts KNOWN_MUTANTS), a failing
// branched run replays from its repro file (with its --max-steps), its outcome says where its
// copy was taken, and the same base seed gives the same runs.

import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { afterAll, describe, expect, it } from "vitest";

import { scenarioByName } from "../../catalog/shipped-scenarios.ts";
import { checkRun } from "../../harness/checks.ts";
import { explore } from "../../harness/explore.ts";
import { prepareExploration, type ExploreOptions } from "../../harness/explore-plan.ts";
import { runChunk } from "../../harness/explore-run.ts";
import { UsageError } from "../../harness/model-options.ts";
import { loadRepro, runRepro } from "../../harness/repro.ts";
import type { RunOutcome } from "../../harness/tally.ts";

const dir = mkdtempSync(join(tmpdir(), "nxtsim-branch-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const r = scenarioByName("router-dies-at-stop");
if (!r.ok) throw new Error(r.error);
const SCENARIO = r.scenario;
const REPRO = /^npx nxtsim replay --repro (\S+)$/;

function branchRuns(mutants: string[], seed = 7, runs = 100): RunOutcome[] {
  const outcomes: RunOutcome[] = [];
  const options: ExploreOptions = { scenarios: [SCENARIO], runs, seed, strategy: { name: "branch" }, fixes: ["633"], mutants, faults: {}, reproDir: dir, onRun: (o) => outcomes.push(o) };
  explore(options);
  return outcomes;
}

describe("--strategy branch", () => {
  const found = branchRuns(["600"]);

  it("branches half the runs or so from copies once it has any, and finds #600 in branched runs", () => {
    const branched = found.filter((o) => REPRO.test(o.replay) || o.replay.startsWith("(branched run"));
    expect(found.filter((o) => o.branched !== undefined)).toEqual(branched);
    expect(branched.length).toBeGreaterThan(30);
    expect(branched.length).toBeLessThan(70);
    expect(branched.some((o) => o.failures.some((f) => f.check === "no-zombies"))).toBe(true);
  });

  it("a failing branched run replays from its repro file, failing the same checks", () => {
    const failing = found.filter((o) => o.failures.length > 0 && REPRO.test(o.replay));
    expect(failing.length).toBeGreaterThan(0);
    for (const o of failing.slice(0, 3)) {
      const { repro, scenario } = loadRepro(REPRO.exec(o.replay)![1]!);
      const replayed = checkRun({ scenario, ...runRepro(repro, scenario) }).map((f) => `${f.check}: ${f.reason}`);
      expect(replayed).toEqual(o.failures.map((f) => `${f.check}: ${f.reason}`));
    }
  });

  it("says where a branched run's copy was taken: an earlier run, whose world began from that run's seed", () => {
    const seeds = new Map(found.map((o) => [o.number, o.seed]));
    const branched = found.filter((o) => o.branched !== undefined);
    expect(branched.length).toBeGreaterThan(0);
    for (const o of branched) {
      expect(o.branched!.run).toBeLessThan(o.number);
      // A copy of a copy keeps the seed of the run from boot its world began as.
      if (found[o.branched!.run]!.branched === undefined) expect(o.branched!.bootSeed).toBe(seeds.get(o.branched!.run));
    }
  });

  it("a branched failure under --max-steps replays with that step budget, and only with it", () => {
    const r = scenarioByName("one-app-two-processes");
    if (!r.ok) throw new Error(r.error);
    const outcomes: RunOutcome[] = [];
    explore({ scenarios: [r.scenario], runs: 40, seed: 2, strategy: { name: "branch" }, maxSteps: 200, fixes: ["633"], reproDir: dir, onRun: (o) => outcomes.push(o) });
    const cut = outcomes.find((o) => o.branched !== undefined && o.failures.some((f) => f.check === "terminates"))!;
    const [, file, steps] = /^npx nxtsim replay --repro (\S+) --max-steps (\d+)$/.exec(cut.replay)!;
    expect(steps).toBe("200");
    const { repro, scenario } = loadRepro(file!);
    const checks = (maxSteps?: number) => checkRun({ scenario, ...runRepro(repro, scenario, undefined, maxSteps) }).map((f) => f.check);
    expect(checks(200)).toEqual(cut.failures.map((f) => f.check));
    expect(checks()).not.toContain("terminates");
  });

  it("is the mutant's doing: without it no run fails", () => {
    expect(branchRuns([], 7, 60).filter((o) => o.failures.length > 0)).toEqual([]);
  });

  it("makes the same runs for the same base seed, other runs for another", () => {
    const again = branchRuns(["600"], 7, 40);
    expect(again).toEqual(found.slice(0, 40));
    expect(branchRuns(["600"], 8, 40).map((o) => o.replay)).not.toEqual(again.map((o) => o.replay));
  });

  it("refuses shards and worker chunks with one line", () => {
    const options: ExploreOptions = { scenarios: [SCENARIO], runs: 4, strategy: { name: "branch" } };
    expect(() => prepareExploration({ ...options, shard: { index: 1, count: 2 } })).toThrow(UsageError);
    expect(() => runChunk(prepareExploration(options).plan, 0, 2)).toThrow(/main thread only/);
  });
});
