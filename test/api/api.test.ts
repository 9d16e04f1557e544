// The library API (api/index.ts): what api/index.js gives plain Node, registered checks applied
// by runs, explore and its refusal on worker threads, interrupting explore through its signal,
// and replaying a repro file.

import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { afterAll, describe, expect, it } from "vitest";

import * as api from "../../api/index.ts";
import { writeRepro } from "../../harness/repro.ts";
import type { Json } from "../../lifecycle/kernel.ts";
import { appsLearnNoPorts } from "../../properties/examples/apps-learn-no-ports.ts";
import { suiteRun } from "../../properties/suite.ts";
import { SUITE_OPTIONS, suiteCaseAt } from "../../properties/suite-case.ts";

const scratch = mkdtempSync(join(tmpdir(), "nxtsim-api-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

function shipped(name: string): api.Scenario {
  const r = api.scenarioByName(name);
  if (!r.ok) throw new Error(r.error);
  return r.scenario;
}

describe("the library API", () => {
  it("api/index.js (plain Node) exports every value api/index.ts does", async () => {
    const js = (await import("../../api/index.js")) as Record<string, unknown>;
    expect(Object.keys(js).sort()).toEqual(Object.keys(api).sort());
    expect(js["runScenario"]).toBeTypeOf("function");
  });

  it("loads and validates scenarios: one line naming the problem", () => {
    expect(api.parseScenario({ name: "x", bogus: 1 }, "mine.json")).toMatchObject({ ok: false, error: expect.stringMatching(/^mine\.json: /) });
    expect(api.listScenarios().map((s) => s.name)).toContain("boot-only");
    expect(() => api.runScenario(shipped("boot-only"), { seed: 1, fixes: ["no-such-fix"] })).toThrow(api.UsageError);
  });

  it("a registered check is applied by runScenario and explore, after the built-in ones; names are unique", async () => {
    const scenario = shipped("one-app-two-processes");
    const before = api.runScenario(scenario, { seed: 1, fixes: ["633"], mutants: ["send-all"] });
    expect(before.verdicts.map((v) => v.check)).not.toContain("apps-learn-no-ports");
    api.registerCheck(appsLearnNoPorts);
    expect(() => api.registerCheck(appsLearnNoPorts)).toThrow(/already a check named "apps-learn-no-ports"/);
    expect(() => api.registerCheck({ ...appsLearnNoPorts, name: "terminates" })).toThrow(/already a check named "terminates"/);

    const broken = api.runScenario(scenario, { seed: 1, fixes: ["633"], mutants: ["send-all"] });
    expect(broken.traceHash).toBe(before.traceHash);
    expect(broken.verdicts.at(-1)).toMatchObject({ check: "apps-learn-no-ports", ok: false });
    expect(api.runScenario(scenario, { seed: 1, fixes: ["633"] }).verdicts.at(-1)).toMatchObject({ check: "apps-learn-no-ports", ok: true });

    const explored = await api.explore({ scenarios: [scenario], runs: 6, fixes: ["633"], mutants: ["send-all"] });
    expect(explored.distinct.map((d) => d.check)).toContain("apps-learn-no-ports");
    expect(api.exploreSummary(explored)).toMatch(/^checks: terminates, .*, apps-learn-no-ports$/m);
    await expect(api.explore({ scenarios: [scenario], runs: 6, workers: 2 })).rejects.toThrow(/main thread only/);
  });

  it("explore stops when its signal is aborted: the runs made so far, stopped by interrupted", async () => {
    const abort = new AbortController();
    const result = await api.explore({
      scenarios: [shipped("boot-only")],
      runs: 1000,
      signal: abort.signal,
      onProgress: (p) => p.runs === 5 && abort.abort(),
    });
    expect(result.stoppedBy).toBe("interrupted");
    expect(result.runs).toBe(5);
    expect(result.shards).toEqual([{ index: 1, count: 1, runs: 5, first: 0, last: 4 }]);
  });

  it("replays a repro file: the same run as runScenario with its options", () => {
    const scenario = shipped("two-apps");
    const path = writeRepro({ nxtsim: "repro/1", scenario: scenario as unknown as Json, seed: 5, faults: api.noFaults(), fixes: [], mutants: [], schedule: null, check: null }, scratch);
    const replayed = api.replayRepro(path);
    expect(replayed.traceHash).toBe(api.runScenario(scenario, { seed: 5 }).traceHash);
    expect(replayed.check).toBeNull();
    expect(replayed.end).toBe("quiescent");
  });

  // Last: the check it registers fails every run.
  it("the property suite applies a registered check too", () => {
    const c = suiteCaseAt(1, "0");
    expect(suiteRun(c.genome, c.faults, c.schedule, SUITE_OPTIONS).violations.map((v) => v.check)).not.toContain("saw-a-step");
    api.registerCheck({ name: "saw-a-step", claim: "no run makes a step (false: to see it applied)", check: (run) => run.trace.slice(0, 1).map((e) => ({ check: "saw-a-step", reason: `step ${e.step}`, step: e.step })) });
    expect(suiteRun(c.genome, c.faults, c.schedule, SUITE_OPTIONS).violations.map((v) => v.check)).toContain("saw-a-step");
  });
});
