// ModelOptions for a scenario: the defaults reproduce c8d9106a; fixes and mutants are opt-in.

import { KNOWN_FIXES, KNOWN_MUTANTS, type FixName, type ModelOptions, type MutantName } from "../lifecycle/options.ts";
import { scenarioUserDb, type Scenario } from "../fixtures/scenario.ts";

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
