// Shared helpers of the lifecycle acceptance tests: run a shipped (or derived) scenario.

import type { Scenario } from "../../catalog/scenario.ts";
import { parseScenario } from "../../catalog/scenario-parse.ts";
import { scenarioByName } from "../../catalog/shipped-scenarios.ts";
import { runScenarioOnSim, type SimRun, type SimRunOptions } from "../../harness/run-sim.ts";
import { rolesFromTrace } from "../../harness/roles.ts";
import type { UnitGlobals } from "../../lifecycle/state.ts";
import type { ProcessFacts } from "../../sim/index.ts";

export function shipped(name: string): Scenario {
  const result = scenarioByName(name);
  if (!result.ok) throw new Error(result.error);
  return result.scenario;
}

/** A shipped scenario with fields replaced, checked by the same loader as a file. */
export function derived(name: string, change: (json: Record<string, unknown>) => void): Scenario {
  const json = structuredClone(shipped(name)) as unknown as Record<string, unknown>;
  change(json);
  const result = parseScenario(json, `${name} (derived)`);
  if (!result.ok) throw new Error(result.error);
  return result.scenario;
}

export function run(scenario: Scenario, options: Partial<SimRunOptions> = {}): SimRun {
  return runScenarioOnSim(scenario, { seed: 1, ...options });
}

export function live(r: SimRun): ProcessFacts[] {
  return r.sim.processes().filter((p) => p.status === "running");
}

export function ofType(r: SimRun, type: string): ProcessFacts[] {
  return live(r).filter((p) => p.ptype === type);
}

export function stateOf(r: SimRun, pid: number): UnitGlobals {
  const state = r.sim.stateOf(pid);
  if (state === undefined) throw new Error(`no state for ${pid}`);
  return state as unknown as UnitGlobals;
}

/** app name of each prototype/app pid, from the model's type reports. */
export function appOf(r: SimRun): Map<number, string | null> {
  return new Map(rolesFromTrace(r.sim.trace).map((x) => [x.pid, x.app]));
}

export const SEEDS_FEW = [1, 2, 3, 4, 5, 6, 7, 8];
