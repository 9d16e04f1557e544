// ModelOptions for a scenario: the defaults reproduce c8d9106a; fixes and mutants are opt-in.
// And unitd's image built from them, as every backend starts it.

import { unitdImage } from "../lifecycle/index.ts";
import type { Json } from "../lifecycle/kernel.ts";
import { KNOWN_FIXES, KNOWN_MUTANTS, type FixName, type ModelOptions, type MutantName } from "../lifecycle/options.ts";
import { scenarioUserDb, unitdCapabilities, type Scenario } from "../fixtures/scenario.ts";

export interface ModelSwitches {
  fixes?: readonly string[];
  mutants?: readonly string[];
}

export function modelOptionsFor(scenario: Scenario, switches: ModelSwitches = {}): ModelOptions {
  return {
    fixes: checked(switches.fixes ?? [], KNOWN_FIXES, "fix") as FixName[],
    mutants: checked(switches.mutants ?? [], KNOWN_MUTANTS, "mutant") as MutantName[],
    havePrSetNoNewPrivs: scenario.unitd.havePrSetNoNewPrivs,
    users: scenarioUserDb(scenario),
    modules: scenario.unitd.modules.map((m) => ({ type: m.type, version: m.version })),
  };
}

/** unitd's plain-data image for a scenario: what every backend starts main with. */
export function unitdImageFor(scenario: Scenario, switches: ModelSwitches = {}): Json {
  return unitdImage({
    options: modelOptionsFor(scenario, switches),
    user: scenario.unitd.user,
    group: scenario.unitd.group,
    capabilities: unitdCapabilities(scenario.unitd),
    conf: scenario.config,
  }) as unknown as Json;
}

function checked(values: readonly string[], known: readonly string[], what: string): string[] {
  for (const v of values) {
    if (!known.includes(v)) {
      throw new UsageError(`unknown ${what} "${v}" (known: ${known.join(", ")})`);
    }
  }
  return [...values];
}

/** Bad input from a user: reported as one line, never a stack trace. */
export class UsageError extends Error {}
