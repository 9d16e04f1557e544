// The exhaustive search's state digest is kept between decisions (digest-tracker.ts) instead
// of walking the whole world: at every decision and run end of runs of every shipped
// scenario, with and without faults, the tracked digest equals a whole walk part for part;
// a tracker that misses a change (one that digests again only the processes that stepped,
// neither the socket ends they reach nor the processes others changed) is caught by the same
// comparison. The search itself, with its world copies, checks every digest in
// test/strategies/exhaustive.test.ts (checkDigests).

import { describe, expect, it } from "vitest";

import { join } from "node:path";

import type { Scenario } from "../../catalog/scenario.ts";
import { loadScenario } from "../../catalog/scenario-parse.ts";
import { listScenarios, SCENARIOS_DIR } from "../../catalog/shipped-scenarios.ts";
import { UNIT_VERSIONS } from "../../lifecycle/options.ts";

/** Unit 1.35's cgroup scenario (fixtures/unit-1.35), with 1.35's validation. */
function cgroupScenario(): Scenario {
  const r = loadScenario(join(SCENARIOS_DIR, "..", "unit-1.35", "one-app-cgroup.json"), undefined, UNIT_VERSIONS["1.35"]);
  if (!r.ok) throw new Error(r.error);
  return r.scenario;
}
import { runScenarioOnSim } from "../../harness/run-sim.ts";
import { DigestTracker, dirtyParts, type DirtyRule } from "../../sim/strategies/digest-tracker.ts";
import { digestWorld, type WorldDigest } from "../../sim/strategies/state-digest.ts";
import type { World } from "../../sim/world.ts";

const FAULTS = { killAtStep: 0.002, sendLost: 0.01, sendFail: 0.01, cloneFail: 0.01, mapWriteFail: 0.01 };
const SEEDS = 2;

function differing(a: WorldDigest, b: WorldDigest): string[] {
  return [...new Set([...a.parts.keys(), ...b.parts.keys()])].filter((k) => a.parts.get(k) !== b.parts.get(k)).sort();
}

/** Runs every shipped scenario under a tracker with `rule`; the decisions (and ends) where its digest was not the whole walk's. */
function compareEverywhere(rule: DirtyRule): { compared: number; updated: number; wrong: string[] } {
  let compared = 0;
  const wrong: string[] = [];
  const tracker = new DigestTracker(rule);
  // Both versions: 1.35's pipes, blocking ppoll and cgroup tree are parts of the world too.
  for (const [scenario, unit] of [...listScenarios().map((s) => [s, "c8d9106a"] as const), ...listScenarios().map((s) => [s, "1.35"] as const), [cgroupScenario(), "1.35"] as const]) {
    for (let seed = 0; seed < SEEDS; seed++) {
      const options = { seed, unit, ...(seed % 2 === 1 ? { faults: FAULTS } : {}) };
      const check = (world: World) => {
        const tracked = tracker.digest(world);
        const whole = digestWorld(world);
        compared++;
        if (tracked.whole !== whole.whole) wrong.push(`${scenario.name} (${unit}) seed ${seed} step ${world.step}: ${differing(tracked, whole).join(" ")}`);
      };
      tracker.forget();
      runScenarioOnSim(scenario, { ...options, observer: { beforeChoice: (world) => (check(world), true), atEnd: check, stepped: (_w, e) => tracker.step(e) } });
    }
  }
  return { compared, updated: tracker.counts.updated, wrong };
}

describe("the tracked state digest", () => {
  it("equals a walk of the whole world at every decision of every shipped scenario at both versions (and 1.35's cgroup scenario), with and without faults", () => {
    const r = compareEverywhere(dirtyParts);
    expect(r.wrong).toEqual([]);
    // Nearly every digest was an update, not a whole walk (a harness action forces one).
    expect(r.compared).toBeGreaterThan(1000);
    expect(r.updated).toBeGreaterThan(r.compared * 0.8);
  }, 60_000);

  it("is caught when it misses a change: without the socket ends a step reaches, or without the processes others changed", () => {
    // Broken: only the processes that stepped and those whose shallow part changed (a send queues on the peer's end, missed).
    const noEnds: DirtyRule = (base, shallow, log) => {
      const dirty = dirtyParts(base, shallow, log);
      return dirty === null ? null : new Set([...dirty].filter((p) => !p.startsWith("sock")));
    };
    // Broken: the steppers and their ends, not the processes whose shallow part changed (a signal, a reparenting, missed).
    const noOthers: DirtyRule = (base, shallow, log) => dirtyParts(base, new Map([...shallow].filter(([p]) => !log.stepped.has(p)).map(([p]) => [p, base.shallow?.get(p) ?? ""])), log);
    const ends = compareEverywhere(noEnds).wrong;
    const others = compareEverywhere(noOthers).wrong;
    expect(ends.length).toBeGreaterThan(0);
    expect(ends.every((w) => /sock\d+/.test(w))).toBe(true);
    expect(others.length).toBeGreaterThan(0);
    expect(others.some((w) => /: (\d+ )*\d+( |$)/.test(w))).toBe(true);
  }, 60_000);
});
