// fast-check arbitraries for runs: a scenario "genome" (properties/genome.ts, the one scenario
// generator, also explore's), per-run fault rates, and a schedule (16-bit choices the simulated
// kernel replays; an exhausted schedule means "first runnable event, no fault").
//
// Every arbitrary here shrinks toward the simplest run: fewer apps and processes, namespaces
// off, fewer actions, default pids, no faults, and a schedule of zeros.

import fc from "fast-check";
import type { Scenario } from "../catalog/scenario.ts";
import { genomeArb } from "./genome.ts";
import { scenarioFromGenome } from "./genome-scenario.ts";
import type { FaultRates } from "../sim/index.ts";

export const faultRatesArb: fc.Arbitrary<FaultRates> = fc.record({
  cloneFail: fc.constantFrom(0, 0.002, 0.01, 0.05),
  sendFail: fc.constantFrom(0, 0.002, 0.01, 0.05),
  sendLost: fc.constant(0),
  killAtStep: fc.constantFrom(0, 0.002, 0.01),
  mapWriteFail: fc.constantFrom(0, 0.01, 0.05),
});

/** A schedule: uniformly random 16-bit choices, long enough for a whole run of these scenarios. */
export const scheduleArb: fc.Arbitrary<number[]> = fc.array(fc.nat({ max: 0xffff }), { maxLength: 1500, size: "max" });

export const scenarioArb: fc.Arbitrary<Scenario> = genomeArb.map((g) => scenarioFromGenome(g));

export { genomeArb, type ActionGenome, type AppGenome, type Genome } from "./genome.ts";
export { scenarioFromGenome, scenarioJsonFromGenome } from "./genome-scenario.ts";
