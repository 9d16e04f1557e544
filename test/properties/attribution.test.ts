// Attribution by cause (harness/attribution.ts): a failure is known as X only when the same
// run with fix X on no longer has it. First the rule on made-up reruns, then on real runs:
// a recorded known bug is attributed to its fix, a mutant's failure is new, and a failure of
// the default model that the fix does not touch stays new even with the fix's check name.

import { describe, expect, it } from "vitest";

import { listBugFixtures, loadBugFixture, runBugFixture } from "../../catalog/bugs.ts";
import { attributeFailures, type Failure } from "../../harness/attribution.ts";
import { checkRun } from "../../harness/checks.ts";
import { runOnce } from "../../harness/explore-run.ts";
import { scenarioByName } from "../../catalog/shipped-scenarios.ts";
import { KNOWN_FIXES } from "../../lifecycle/options.ts";
import { noFaults } from "../../sim/index.ts";

const A: Failure = { check: "no-crash", reason: "main 100 crashed: x" };
const B: Failure = { check: "no-zombies", reason: "zombie 104" };

describe("the rule, on made-up reruns", () => {
  it("a failure takes the first fix (KNOWN_FIXES order) whose rerun no longer has it; one no fix removes is new", () => {
    const [first, second] = KNOWN_FIXES;
    const calls: string[][] = [];
    const attributed = attributeFailures([A, B], [], (fixes) => {
      calls.push([...fixes]);
      // The first fix removes A only; every later one removes A and nothing else either.
      return fixes.includes(first!) || fixes.includes(second!) ? [B] : [A, B];
    });
    expect(attributed).toEqual([
      { ...A, cause: first },
      { ...B, cause: null },
    ]);
    // B stayed pending, so every fix was tried once, each alone, then all together (which
    // leave B too: no pair is tried).
    expect(calls).toEqual([...KNOWN_FIXES.map((f) => [f]), [...KNOWN_FIXES]]);
  });

  it("a failure only two fixes together remove takes the first such pair, X+Y", () => {
    const [, second, third] = KNOWN_FIXES;
    const calls: string[][] = [];
    const attributed = attributeFailures([A, B], [], (fixes) => {
      calls.push([...fixes]);
      return fixes.includes(second!) && fixes.includes(third!) ? [] : [A, B];
    });
    expect(attributed.map((a) => a.cause)).toEqual([`${second}+${third}`, `${second}+${third}`]);
    // Singles, every fix together, then pairs in order up to the one that removes them.
    const pairs = calls.slice(KNOWN_FIXES.length + 1);
    expect(pairs.at(-1)).toEqual([second, third]);
    expect(pairs.every((p) => p.length === 2)).toBe(true);
  });

  it("matches the exact reason: the same check with another reason in the rerun still removes it", () => {
    const [first] = KNOWN_FIXES;
    const moved = { check: A.check, reason: "main 100 crashed: y" };
    const attributed = attributeFailures([A], [], (fixes) => (fixes.includes(first!) ? [moved] : [A]));
    expect(attributed[0]!.cause).toBe(first);
  });

  it("skips fixes the run already has, keeps them on in every rerun, and makes no rerun without a failure", () => {
    const [first, second] = KNOWN_FIXES;
    const calls: string[][] = [];
    const attributed = attributeFailures([A], [first!], (fixes) => {
      calls.push([...fixes]);
      return fixes.includes(second!) ? [] : [A];
    });
    expect(attributed[0]!.cause).toBe(second);
    expect(calls[0]).toEqual([first, second]);
    expect(attributeFailures([], [], () => { throw new Error("no rerun expected"); })).toEqual([]);
  });

  it("asks each rerun for the checks of the failures still without a cause, and a rerun judged by those alone gives the same causes", () => {
    const [first, , third] = KNOWN_FIXES;
    const C: Failure = { check: "no-zombies", reason: "zombie 105" };
    // The first fix removes A; the third removes B and C; every rerun also fails a check no failure of the run has.
    const unrelated: Failure = { check: "rpc-ends-once", reason: "stream #3 twice" };
    const failuresWith = (fixes: readonly string[]): Failure[] => [
      ...(fixes.includes(first!) ? [] : [A]),
      ...(fixes.includes(third!) ? [] : [B, C]),
      unrelated,
    ];
    const asked: string[][] = [];
    const narrowed = attributeFailures([A, B, C], [], (fixes, checks) => {
      asked.push([...checks].sort());
      return failuresWith(fixes).filter((f) => checks.has(f.check));
    });
    expect(asked[0]).toEqual(["no-crash", "no-zombies"]);
    expect(asked.slice(1)).toEqual([["no-zombies"], ["no-zombies"]]);
    expect(narrowed).toEqual(attributeFailures([A, B, C], [], failuresWith));
    expect(narrowed.map((a) => a.cause)).toEqual([first, third, third]);
  });
});

describe("the rule, on runs of the model", () => {
  it.each(listBugFixtures().filter((b) => loadBugFixture(b).upstreamFix !== null && loadBugFixture(b).mutants.length === 0))(
    "bug fixture %s: its recorded failure is attributed to its fix",
    (name) => {
      const fixture = loadBugFixture(name);
      const { violations } = runBugFixture(fixture);
      const own = violations.filter((v) => v.check === fixture.check);
      expect(own.length).toBeGreaterThan(0);
      const attributed = attributeFailures(own, fixture.fixes, (fixes) => runBugFixture(fixture, { fixes: [...fixes] }).violations);
      for (const a of attributed) expect(a.cause, `${a.check}: ${a.reason}`).toBe(fixture.upstreamFix);
    },
  );

  it("a mutant's failure is new: no known fix removes it", () => {
    const r = scenarioByName("shutdown-sigquit");
    if (!r.ok) throw new Error(r.error);
    const scenario = r.scenario;
    const runWith = (fixes: readonly string[]) =>
      checkRun({ scenario, ...runOnce(scenario, { seed: 0, faults: noFaults(), fixes, mutants: ["notify-twice"] }) });
    const failures = runWith([]);
    expect(failures.length).toBeGreaterThan(0);
    for (const a of attributeFailures(failures, [], runWith)) expect(a.cause, `${a.check}: ${a.reason}`).toBeNull();
  });
});
