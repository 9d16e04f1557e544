// The simulated kernel's public API.

export { Sim, type RunResult, type SimOptions } from "./sim.ts";
export type { ProcessFacts } from "./facts.ts";
export type { FaultRates } from "./faults.ts";
export { Chooser, Prng, uniformPolicy, type ChoicePolicy } from "./random.ts";
export type { ProcFs } from "./procfs.ts";
