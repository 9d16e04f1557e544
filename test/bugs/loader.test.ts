// catalog/bugs.ts: the shipped fixtures load; a malformed fixture gives one line that names
// the file and the field; overrides and scenario changes do what they say.

import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import {
  BUGS_DIR,
  BugFixtureError,
  changedScenario,
  listBugFixtures,
  loadBugFixture,
  parseBugFixture,
  readBugFixture,
  runBugFixture,
  scenarioJson,
  searchForBug,
  withoutBug,
} from "../../catalog/bugs.ts";
import { parseScenario } from "../../catalog/scenario-parse.ts";
import { listScenarios, scenarioByName } from "../../catalog/shipped-scenarios.ts";
import { RUN_CHECKS } from "../../harness/checks.ts";
import { runSeed } from "../../harness/explore-seeds.ts";
import { KNOWN_FIXES } from "../../lifecycle/options.ts";

const raw633 = (): Record<string, unknown> => JSON.parse(readFileSync(join(BUGS_DIR, "633.json"), "utf8")) as Record<string, unknown>;

/** The error line for fixture 633's JSON with one change. */
function errorOf(change: (j: Record<string, unknown>) => void, source = "bad.json"): string {
  const j = raw633();
  j["bug"] = "bad";
  change(j);
  const r = parseBugFixture(j, source);
  if (r.ok) throw new Error("the fixture was accepted");
  expect(r.error).not.toContain("\n");
  expect(r.error.startsWith(`${source}: `)).toBe(true);
  return r.error;
}

describe("shipped fixtures", () => {
  it("are listed by name, sorted", () => {
    const names = listBugFixtures();
    expect(names).toEqual([...names].sort());
    expect(names).toEqual(expect.arrayContaining(["312", "600", "633"]));
  });

  it.each(listBugFixtures())("%s loads, names its bug, and its check is a run-level check", (name) => {
    const f = loadBugFixture(name);
    expect(f.bug).toBe(name);
    expect(f.name).toBe(name);
    expect(RUN_CHECKS.map((c) => c.name)).toContain(f.check);
    expect(f.note.split(/(?<=\.)\s+/).length).toBeGreaterThanOrEqual(2);
    expect(f.traceHash).toMatch(/^[0-9a-f]{64}$/);
  });

  it("scenarioChanges are applied on top of the shipped scenario", () => {
    const f = loadBugFixture("633");
    const base = scenarioByName("one-app-isolated");
    if (!base.ok) throw new Error(base.error);
    expect(f.scenarioName).toBe("one-app-isolated");
    expect(f.scenarioChanges).toEqual({ "unitd.firstPid": 2 });
    expect(base.scenario.unitd.firstPid).toBe(100);
    expect(f.scenario).toEqual({ ...base.scenario, unitd: { ...base.scenario.unitd, firstPid: 2 } });
  });

  it("an unknown name is one line naming the fixtures there are", () => {
    expect(() => loadBugFixture("999")).toThrow(BugFixtureError);
    expect(() => loadBugFixture("../scenarios/boot-only")).toThrow(/^no bug fixture named "..\/scenarios\/boot-only" \(have: 312, 600, 633/);
  });
});

describe("a malformed fixture is one line naming the file and the field", () => {
  it("an unknown key", () => {
    expect(errorOf((j) => (j["sede"] = 1))).toMatch(/^bad\.json: unknown key "sede" \(allowed: bug, title, /);
  });

  it("a missing key", () => {
    expect(errorOf((j) => delete j["traceHash"])).toBe("bad.json: traceHash: is required");
  });

  it("an unknown check name", () => {
    expect(errorOf((j) => (j["check"] = "no-crashes"))).toMatch(/^bad\.json: check: unknown check "no-crashes" \(known: terminates, no-crash, /);
  });

  it("a reason that is not a regexp", () => {
    expect(errorOf((j) => (j["reason"] = "add of pid (\\d+ failed"))).toMatch(/^bad\.json: reason: not a valid regular expression: .*/);
  });

  it("an unknown fix, mutant or fault kind, or a rate out of range", () => {
    expect(errorOf((j) => (j["fixes"] = ["634"]))).toBe(`bad.json: fixes: unknown name "634" (known: ${KNOWN_FIXES.join(", ")})`);
    expect(errorOf((j) => (j["mutants"] = ["601"]))).toMatch(/^bad\.json: mutants: unknown name "601" \(known: 600, 312/);
    expect(errorOf((j) => (j["faults"] = { forkFail: 0.1 }))).toMatch(/^bad\.json: faults: unknown fault kind "forkFail"/);
    expect(errorOf((j) => (j["faults"] = { cloneFail: 2 }))).toBe("bad.json: faults.cloneFail: must be a number from 0 to 1, got 2");
    expect(errorOf((j) => (j["upstreamFix"] = "600"))).toBe(`bad.json: upstreamFix: must be null or one of ${KNOWN_FIXES.join(", ")}, got "600"`);
  });

  it("a bad seed or trace hash", () => {
    expect(errorOf((j) => (j["seed"] = -1))).toBe("bad.json: seed: must be a non-negative integer, got -1");
    expect(errorOf((j) => (j["seed"] = "1"))).toBe('bad.json: seed: must be a non-negative integer, got "1"');
    expect(errorOf((j) => (j["traceHash"] = "abc"))).toMatch(/^bad\.json: traceHash: must be 64 lower-case hex digits/);
  });

  it("an unknown scenario, or a change the scenario does not accept", () => {
    expect(errorOf((j) => (j["scenario"] = "one-app"))).toMatch(/^bad\.json: scenario: no shipped scenario named "one-app" \(have: /);
    expect(errorOf((j) => (j["scenarioChanges"] = { "unitd.firstPid": 1 }))).toMatch(
      /^bad\.json: scenario \(with scenarioChanges\): .*unitd\.firstPid: must be an integer from 2 to 32767, got 1$/,
    );
    expect(errorOf((j) => (j["scenarioChanges"] = { "unitd.bogus": 1 }))).toMatch(/unknown key "bogus" at unitd/);
    expect(errorOf((j) => (j["scenarioChanges"] = { "nothere.x": 1 }))).toMatch(/scenarioChanges: "nothere\.x": the scenario has no object at nothere$/);
    expect(errorOf((j) => (j["scenarioChanges"] = { "unitd..x": 1 }))).toMatch(/is not a dotted path/);
  });

  it("a bug that does not match its file name", () => {
    const j = raw633();
    const r = parseBugFixture(j, "fixtures/bugs/634.json");
    expect(r).toEqual({ ok: false, error: 'fixtures/bugs/634.json: bug: "633" does not match the file name 634.json' });
  });

  it("a file that is not JSON, or cannot be read", () => {
    const dir = mkdtempSync(join(tmpdir(), "nxtsim-bugs-"));
    try {
      const file = join(dir, "633.json");
      writeFileSync(file, '{ "bug": "633",\n');
      const r = readBugFixture(file);
      expect(r.ok).toBe(false);
      // Where it breaks: the end of the text, line 2, column 1.
      expect(!r.ok && r.error).toMatch(new RegExp(`^${file.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}: line 2, column 1: not valid JSON: [^\\n]*$`));
      const missing = readBugFixture(join(dir, "600.json"));
      expect(!missing.ok && missing.error).toBe(`${join(dir, "600.json")}: cannot read the file (ENOENT)`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("an inline scenario is checked like a scenario file", () => {
    const error = errorOf((j) => {
      j["scenario"] = { name: "x", config: { applications: 3 } };
      delete j["scenarioChanges"];
    });
    expect(error).toMatch(/^bad\.json: scenario: the scenario: config\/applications: /);
    const j = raw633();
    j["scenario"] = { name: "inline", config: {} };
    j["scenarioChanges"] = { "unitd.firstPid": 7 };
    const r = parseBugFixture(j, "633.json");
    if (!r.ok) throw new Error(r.error);
    expect(r.fixture.scenarioName).toBeNull();
    expect(r.fixture.scenario.name).toBe("inline");
    expect(r.fixture.scenario.unitd.firstPid).toBe(7);
  });
});

describe("running and changing", () => {
  it("scenarioJson writes every shipped scenario back in a form the loader takes again, unchanged", () => {
    for (const s of listScenarios()) {
      const r = parseScenario(scenarioJson(s), s.name);
      if (!r.ok) throw new Error(r.error);
      expect(r.scenario).toEqual(s);
    }
  });

  it("changedScenario works on a scenario with signal actions, and rejects a bad change in one line", () => {
    const base = scenarioByName("shutdown-sigquit");
    if (!base.ok) throw new Error(base.error);
    const s = changedScenario(base.scenario, { "unitd.pidMax": 4096 });
    expect(s.unitd.pidMax).toBe(4096);
    expect(s.actions).toEqual(base.scenario.actions);
    expect(() => changedScenario(base.scenario, { "unitd.pidMax": 3 })).toThrow(/^shutdown-sigquit: scenario \(with scenarioChanges\): .*pidMax/);
  });

  it("overrides replace the recorded inputs (another seed is another run)", () => {
    const f = loadBugFixture("600");
    const recorded = runBugFixture(f);
    const other = runBugFixture(f, { seed: f.seed + 1 });
    expect(other.run.sim.traceHash()).not.toBe(recorded.run.sim.traceHash());
    const unmutated = runBugFixture(f, { mutants: [] });
    expect(unmutated.violations).toEqual([]);
  });

  it("withoutBug turns the upstream fix on, or the bug's mutant off", () => {
    expect(withoutBug(loadBugFixture("633"))).toEqual({ fixes: ["633"], mutants: [] });
    expect(withoutBug(loadBugFixture("600"))).toEqual({ fixes: [], mutants: [] });
    expect(withoutBug(loadBugFixture("312"))).toEqual({ fixes: [], mutants: [] });
  });

  it("searchForBug uses explore's run seeds, not the recorded one, and stops at the first failing run", () => {
    const f = loadBugFixture("600");
    const seen: number[] = [];
    const r = searchForBug(f, {
      base: 7,
      runs: 50,
      draw: (seed) => {
        seen.push(seed);
        return { scenario: f.scenario, faults: f.faults };
      },
    });
    expect(r.hit).not.toBeNull();
    expect(seen).toEqual(Array.from({ length: r.runs }, (_, i) => runSeed(7, i)));
    expect(r.hit!.seed).toBe(seen.at(-1));
    expect(r.hit!.violations.some((v) => v.check === "no-zombies")).toBe(true);
    const none = searchForBug(f, { base: 7, runs: r.runs, ...withoutBug(f) });
    expect(none).toEqual({ runs: r.runs, hit: null });
  });
});
