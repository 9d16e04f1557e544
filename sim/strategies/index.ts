// Exploration strategies: how the runnable event of each step is picked (sim/random.ts
// ChoicePolicy). A per-run strategy is a function of (seed, params) alone, and every choice
// it makes is recorded in the run's schedule, so a run replays from seed + strategy + params
// or from its schedule, and shrinks like any run. `exhaustive` is not a per-run strategy but
// a search over all schedules of one scenario (sim/strategies/exhaustive.ts).

import type { ChoicePolicy } from "../random.ts";
import { DEFAULT_PCT, PctPolicy, type PctParams } from "./pct.ts";
import { swarmConfig, SwarmPolicy } from "./swarm.ts";

export { DEFAULT_PCT, PctPolicy, type PctParams } from "./pct.ts";
export { EVENT_KINDS, STARVED_WEIGHT, SWARM_FAULT_KINDS, swarmConfig, SwarmPolicy, type SwarmConfig } from "./swarm.ts";

export const RUN_STRATEGY_NAMES = ["random", "swarm", "pct"] as const;
/** `branch` (harness/explore-branch.ts) is explore's only: a branched run replays from its recorded schedule, not from a seed. */
export const STRATEGY_NAMES = [...RUN_STRATEGY_NAMES, "branch", "exhaustive"] as const;
export type StrategyName = (typeof STRATEGY_NAMES)[number];

/** A per-run strategy and its parameters (plain data: it crosses worker threads and files). */
export type RunStrategy = { name: "random" } | { name: "swarm" } | ({ name: "pct" } & PctParams) | { name: "branch" };

export const RANDOM: RunStrategy = { name: "random" };

/** Largest PCT depth / steps accepted (beyond them PCT degenerates into a fixed order or uniform). */
export const MAX_PCT_DEPTH = 64;
export const MAX_PCT_STEPS = 1_000_000;

/** Why PCT parameters are wrong, or null. */
export function pctParamsProblem(p: PctParams): string | null {
  if (!(Number.isSafeInteger(p.depth) && p.depth >= 1 && p.depth <= MAX_PCT_DEPTH)) return `PCT depth must be an integer from 1 to ${MAX_PCT_DEPTH}, got ${p.depth}`;
  if (!(Number.isSafeInteger(p.steps) && p.steps >= 1 && p.steps <= MAX_PCT_STEPS)) return `PCT steps must be an integer from 1 to ${MAX_PCT_STEPS}, got ${p.steps}`;
  return null;
}

/** The policy of one run; undefined for `random` (the Chooser's own uniform draw, unchanged). */
export function policyFor(strategy: RunStrategy, seed: string | number): ChoicePolicy | undefined {
  switch (strategy.name) {
    case "random":
    case "branch": // its runs from boot are uniform random runs; branched ones reseed the copy's chooser
      return undefined;
    case "swarm":
      return new SwarmPolicy(swarmConfig(seed));
    case "pct":
      return new PctPolicy(seed, { depth: strategy.depth, steps: strategy.steps });
  }
}

/** The command-line flags that select the strategy (none for the default, random). */
export function strategyFlags(strategy: RunStrategy): string[] {
  if (strategy.name === "random" || strategy.name === "branch") return []; // a branch strategy's run from boot is a random run
  if (strategy.name === "swarm") return ["--strategy", "swarm"];
  return ["--strategy", "pct", "--pct-depth", String(strategy.depth), "--pct-steps", String(strategy.steps)];
}

/** One short name: random, swarm, pct(d=3,k=50). */
export function describeStrategy(strategy: RunStrategy): string {
  return strategy.name === "pct" ? `pct(d=${strategy.depth},k=${strategy.steps})` : strategy.name;
}
