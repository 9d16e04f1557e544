// Known Unit bugs, one fixture each (fixtures/bugs/<bug>.json). For every fixture:
//  1. its recorded run fails its check with a matching reason, and the run's trace hash is
//     the same twice and equal to the one recorded (a model change that alters the run shows);
//  2. the same run with the bug taken out (the upstream fix on, or the mutant off) passes it;
//  3. the property suite finds the bug from fresh seeds: run i of a search uses seed
//     runSeed(BASE_SEED, i) (harness/explore-seeds.ts, as explore does) and draws the rest of the run
//     from that seed with the bug's search plan (catalog/bug-search.ts); it runs every check (RUN_CHECKS) and
//     stops at the first run that fails the fixture's check. The recorded seed plays no part.
//     Budget: SEARCH_BUDGET runs; the number it took is printed.
//  4. the same search slice (the same seeds and draws, at least CONTROL_RUNS runs and never
//     fewer than it took to find the bug) with the bug taken out never fails that check, so
//     the finding is due to the bug.

import { describe, expect, it } from "vitest";
import { SEARCH_PLANS as PLANS } from "../../catalog/bug-search.ts";
import {
  changedScenario,
  listBugFixtures,
  loadBugFixture,
  reasonsOf,
  runBugFixture,
  searchForBug,
  withoutBug,
  type SearchResult,
} from "../../catalog/bugs.ts";
import { DEFAULT_BASE_SEED } from "../../harness/explore-plan.ts";

/** The base seed of every search: explore's default (the one `npm start` uses). */
const BASE_SEED = DEFAULT_BASE_SEED;
/** Most runs a search may take before the test fails. */
const SEARCH_BUDGET = 10_000;
/** Smallest slice the bug-free control runs. */
const CONTROL_RUNS = 200;

describe("every fixture has a search plan", () => {
  it("fixtures/bugs/*.json and the plans here name the same bugs", () => {
    expect(listBugFixtures()).toEqual(Object.keys(PLANS).sort());
  });
});

describe.each(listBugFixtures())("#%s", (name) => {
  const fixture = loadBugFixture(name);
  const plan = PLANS[name]!;
  const clean = withoutBug(fixture);

  it("the recorded run fails its check with a matching reason, and its trace hash is the recorded one, twice", () => {
    const a = runBugFixture(fixture);
    const b = runBugFixture(fixture);
    const reasons = reasonsOf(fixture, a.violations);
    expect(reasons.length, `${fixture.check} did not fail; failures: ${JSON.stringify(a.violations)}`).toBeGreaterThan(0);
    for (const r of reasons) expect(r).toMatch(fixture.reason);
    expect(a.run.result.reason).toBe("quiescent");
    expect(a.run.sim.traceHash()).toBe(b.run.sim.traceHash());
    expect(a.violations).toEqual(b.violations);
    expect(a.run.sim.traceHash(), "the model changed this run: check the bug still shows, then record the new hash").toBe(fixture.traceHash);
  });

  it(`with the bug taken out (fixes ${JSON.stringify(clean.fixes)}, mutants ${JSON.stringify(clean.mutants)}) the same seed and faults pass ${fixture.check} and no-crash`, () => {
    // The switches differ from the fixture's: this really is a different model.
    expect(clean).not.toEqual({ fixes: fixture.fixes, mutants: fixture.mutants });
    const { violations, run } = runBugFixture(fixture, clean);
    expect(reasonsOf(fixture, violations)).toEqual([]);
    expect(reasonsOf(fixture, violations, "no-crash")).toEqual([]);
    expect(run.result.reason).toBe("quiescent");
  });

  let found: SearchResult | null = null;

  it(`the property suite finds it from fresh seeds (base ${BASE_SEED}) within ${SEARCH_BUDGET} runs: ${plan.describe}`, () => {
    const draw = plan.draw(fixture);
    const result = searchForBug(fixture, { base: BASE_SEED, runs: SEARCH_BUDGET, draw });
    found = result;
    expect(result.hit, `#${name} not found in ${SEARCH_BUDGET} runs`).not.toBeNull();
    const hit = result.hit!;
    expect(result.runs).toBeLessThanOrEqual(SEARCH_BUDGET);
    const reasons = reasonsOf(fixture, hit.violations);
    for (const r of reasons) expect(r).toMatch(fixture.reason);
    const extra = name === "633" ? `, firstPid ${hit.scenario.unitd.firstPid}` : "";
    console.log(
      `#${name} found after ${result.runs} runs (seed ${hit.seed}${extra}, faults ${JSON.stringify(hit.faults)}): ${fixture.check}: ${reasons[0]}`,
    );
  });

  it(`the same search slice (at least ${CONTROL_RUNS} runs, and the run that found it) without the bug never fails ${fixture.check}`, () => {
    expect(found?.hit, "the search above found nothing").toBeTruthy();
    const runs = Math.max(CONTROL_RUNS, found!.runs);
    const result = searchForBug(fixture, { base: BASE_SEED, runs, draw: plan.draw(fixture), ...clean });
    const hit = result.hit;
    expect(hit, hit === null ? "" : `seed ${hit.seed} (run ${hit.index + 1}) fails ${fixture.check}: ${reasonsOf(fixture, hit.violations)[0]}`).toBeNull();
    expect(result.runs).toBe(runs);
  });
});

describe("#633 specifics", () => {
  const fixture = loadBugFixture("633");

  it("the default model has it: no fix, no mutant, pid isolation, and main's host pid 2 is the app's namespace pid", () => {
    expect(fixture.fixes).toEqual([]);
    expect(fixture.mutants).toEqual([]);
    expect(fixture.scenario.unitd.firstPid).toBe(2);
    const { run } = runBugFixture(fixture);
    const app = run.sim.processes().find((p) => p.nspids.length === 2 && p.nspids[1] === 2);
    expect(app, "no process with namespace pid 2").toBeDefined();
    expect(run.mainPid).toBe(2);
  });

  it("every-add-succeeds is the first check that fires: the failed insert precedes the prototype's abort (no-crash)", () => {
    const { violations, run } = runBugFixture(fixture);
    const trace = run.sim.trace;
    const addFailed = trace.findIndex((e) => e.kind === "model" && e.event.what === "table" && e.event.op === "add-failed");
    const crash = trace.findIndex((e) => e.kind === "crash");
    expect(addFailed).toBeGreaterThanOrEqual(0);
    expect(crash).toBeGreaterThan(addFailed);
    expect(reasonsOf(fixture, violations, "no-crash")).toEqual([expect.stringMatching(/^prototype \d+ crashed: /)]);
  });

  it("with main at the default pid 100 the default model passes (the collision is the cause)", () => {
    const scenario = changedScenario(fixture.scenario, { "unitd.firstPid": 100 });
    const { violations } = runBugFixture(fixture, { scenario });
    expect(reasonsOf(fixture, violations)).toEqual([]);
    expect(reasonsOf(fixture, violations, "no-crash")).toEqual([]);
  });
});

describe("#600 specifics", () => {
  const fixture = loadBugFixture("600");

  it("the zombie's parent is main, and shutdown does not complete (main still running)", () => {
    const { violations, run } = runBugFixture(fixture);
    const zombies = run.sim.processes().filter((p) => p.status === "zombie" && p.ppid === run.mainPid);
    expect(zombies.length).toBeGreaterThan(0);
    expect(reasonsOf(fixture, violations, "shutdown-completes")).toContain(`main ${run.mainPid} still running after shutdown`);
  });
});

describe("#312 specifics", () => {
  const fixture = loadBugFixture("312");

  it("main crashes, after a clone failure injected earlier in the same run", () => {
    const { violations, run } = runBugFixture(fixture);
    expect(reasonsOf(fixture, violations)).toEqual([expect.stringMatching(new RegExp(`^main ${run.mainPid} crashed: `))]);
    const trace = run.sim.trace;
    const cloneFault = trace.findIndex((e) => e.kind === "fault" && e.fault === "clone");
    const crash = trace.findIndex((e) => e.kind === "crash");
    expect(cloneFault).toBeGreaterThanOrEqual(0);
    expect(crash).toBeGreaterThan(cloneFault);
  });

  it("with the mutant but no clone failures the same seed passes no-crash", () => {
    const { violations } = runBugFixture(fixture, { faults: {} });
    expect(reasonsOf(fixture, violations)).toEqual([]);
  });
});
