// PCT's edge over uniform random where a bug's window is narrow: #600 on router-dies-at-stop
// needs the controller's whole exit before main's next step (see the README's strategy
// section). Fixed seeds, so the counts are exact; the ratios the bench measures are the
// figures, this test only keeps the edge from being lost.

import { describe, expect, it } from "vitest";

import { scenarioByName } from "../../catalog/shipped-scenarios.ts";
import { hitsIn, type Target } from "../../harness/strategy-compare.ts";
import { DEFAULT_PCT, type RunStrategy } from "../../sim/strategies/index.ts";

const RUNS = 300;
const BASE = 4242;

function target(mutants: string[]): Target {
  const r = scenarioByName("router-dies-at-stop");
  if (!r.ok) throw new Error(r.error);
  return { name: "#600 narrow", scenario: r.scenario, fixes: ["633"], mutants, check: "no-zombies" };
}

const RANDOM: RunStrategy = { name: "random" };
const PCT: RunStrategy = { name: "pct", ...DEFAULT_PCT };

describe("#600 on router-dies-at-stop", () => {
  it("is hit by both strategies, and by PCT at least 1.5 times as often as by uniform random", () => {
    const random = hitsIn(target(["600"]), RANDOM, BASE, RUNS, "none");
    const pct = hitsIn(target(["600"]), PCT, BASE, RUNS, "none");
    expect(random).toBeGreaterThan(0);
    expect(pct).toBeGreaterThanOrEqual(1.5 * random);
  });

  it("the edge comes from PCT's priorities: a PCT that applies them to the first decision only does not have it", () => {
    // k = 1: after the first decision the run goes on uniformly, so this is random in effect.
    const random = hitsIn(target(["600"]), RANDOM, BASE, RUNS, "none");
    const firstOnly = hitsIn(target(["600"]), { name: "pct", depth: DEFAULT_PCT.depth, steps: 1 }, BASE, RUNS, "none");
    expect(firstOnly).toBeLessThan(1.5 * random);
  });

  it("is the mutant's doing: without it neither strategy leaves a zombie", () => {
    expect(hitsIn(target([]), RANDOM, BASE, 100, "none")).toBe(0);
    expect(hitsIn(target([]), PCT, BASE, 100, "none")).toBe(0);
  });
});
