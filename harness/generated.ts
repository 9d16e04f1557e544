// Generated scenarios in explore: the scenario slot "generated" stands for a scenario drawn
// from each run's own seed by the one scenario generator (properties/genome.ts, the property
// suite's), so a run is still (scenario, seed, ...) = (seed, ...) and `nxtsim replay SEED
// --scenario generated` makes it again. `--mix` (npm start) interleaves the shipped scenarios
// with as many generated slots: half the runs are generated.

import fc from "fast-check";
import { mkdirSync } from "node:fs";
import { join } from "node:path";

import type { Scenario } from "../catalog/scenario.ts";
import type { Json } from "../lifecycle/kernel.ts";
import { genomeArb, type Genome } from "../properties/genome.ts";
import { scenarioFromGenome, scenarioJsonFromGenome } from "../properties/genome-scenario.ts";
import { writeFileAtomic } from "./atomic-file.ts";
import { REPRO_DIR } from "./repro.ts";

/** The scenario name (and replay reference) of every generated run. */
export const GENERATED = "generated";

/** A scenario of an exploration's round-robin: a given one, or "generated" (drawn per run). */
export type ScenarioSlot = Scenario | typeof GENERATED;

/** The genome a seed draws (fast-check's generator seeded with it: the same for the same seed and fast-check). */
export function genomeForSeed(seed: number): Genome {
  return fc.sample(genomeArb, { seed: seed | 0, numRuns: 1 })[0]!;
}

/** The scenario of a generated run with this seed. */
export function generatedScenario(seed: number): Scenario {
  return scenarioFromGenome(genomeForSeed(seed));
}

/** The scenario file of a generated run (what `check` accepts and `--scenario FILE` replays). */
export function generatedScenarioJson(seed: number): Json {
  return scenarioJsonFromGenome(genomeForSeed(seed), `generated-${seed}`);
}

/** Where a generated run's scenario file is written (beside the repros). */
export function generatedScenarioPath(seed: number, dir = REPRO_DIR): string {
  return join(dir, `generated-${seed}.json`);
}

/** Writes a generated run's scenario file (pretty, as a user would write it); returns its path. */
export function writeGeneratedScenario(seed: number, dir = REPRO_DIR): string {
  const path = generatedScenarioPath(seed, dir);
  mkdirSync(dir, { recursive: true });
  writeFileAtomic(path, JSON.stringify(generatedScenarioJson(seed), null, 2) + "\n");
  return path;
}

/** The default mix: each shipped scenario followed by a generated slot. */
export function mixedSlots<T>(shipped: readonly T[]): (T | typeof GENERATED)[] {
  return shipped.flatMap((s) => [s, GENERATED]);
}

/** The slot's scenario for a run with this seed. */
export function scenarioOfSlot(slot: ScenarioSlot, seed: number): Scenario {
  return slot === GENERATED ? generatedScenario(seed) : slot;
}
