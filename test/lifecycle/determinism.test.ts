// Acceptance: the same seed gives a byte-identical trace, over 200 seeds and every shipped
// scenario (with and without faults); different seeds give different schedules; a recorded
// schedule replays to the same trace.

import { describe, expect, it } from "vitest";
import { listScenarios } from "../../catalog/shipped-scenarios.ts";
import { run } from "./helpers.ts";

const SEEDS = Array.from({ length: 200 }, (_, i) => i + 1);
const FAULTS = { cloneFail: 0.02, sendFail: 0.01, killAtStep: 0.005, mapWriteFail: 0.05 };

describe("determinism", () => {
  for (const scenario of listScenarios()) {
    it(`${scenario.name}: same seed, same trace bytes; different seeds, different schedules`, () => {
      const schedules = new Set<string>();
      for (const seed of SEEDS) {
        const a = run(scenario, { seed });
        const b = run(scenario, { seed });
        expect(b.sim.traceJsonl()).toBe(a.sim.traceJsonl());
        expect(b.sim.traceHash()).toBe(a.sim.traceHash());
        schedules.add(a.sim.choices.join(","));
      }
      // Uniform choice over the runnable events: nearly every seed takes its own path.
      expect(schedules.size).toBeGreaterThan(SEEDS.length / 2);
    });

    it(`${scenario.name}: faults are drawn from the seed, so they replay too`, () => {
      let faulted = 0;
      for (const seed of SEEDS.slice(0, 50)) {
        const a = run(scenario, { seed, faults: FAULTS });
        const b = run(scenario, { seed, faults: FAULTS });
        expect(b.sim.traceHash()).toBe(a.sim.traceHash());
        if (a.sim.trace.some((e) => e.kind === "fault")) faulted++;
      }
      expect(faulted).toBeGreaterThan(0);
    });

    it(`${scenario.name}: a recorded schedule replays to the same trace`, () => {
      for (const seed of [3, 17, 101]) {
        const a = run(scenario, { seed, faults: FAULTS });
        const replayed = run(scenario, { seed: "another seed", faults: FAULTS, replay: a.sim.choices });
        expect(replayed.sim.traceHash()).toBe(a.sim.traceHash());
      }
    });
  }
});
