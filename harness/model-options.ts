// ModelOptions for a scenario: the defaults reproduce c8d9106a; fixes and mutants are opt-in.
// And unitd's image built from them, as every backend starts it.

import { unitdImage } from "../lifecycle/index.ts";
import type { Json } from "../lifecycle/kernel.ts";
import {
  buildHasNoNewPrivs,
  DEFAULT_UNIT,
  KNOWN_FIXES,
  KNOWN_MUTANTS,
  NOT_MODELLED_YET,
  UNIT_VERSIONS,
  UPSTREAM_FIXES,
  type FixName,
  type ModelOptions,
  type MutantName,
  type UnitVersion,
  type UpstreamCommit,
} from "../lifecycle/options.ts";
import { scenarioUserDb, unitdCapabilities, type Scenario } from "../catalog/scenario.ts";

export interface ModelSwitches {
  fixes?: readonly string[];
  mutants?: readonly string[];
  /** The Unit version (lifecycle/options.ts UNIT_VERSIONS); default c8d9106a. */
  unit?: string;
}

export function modelOptionsFor(scenario: Scenario, switches: ModelSwitches = {}): ModelOptions {
  const fixes = checked(switches.fixes ?? [], KNOWN_FIXES, "fix") as FixName[];
  const upstream = upstreamOf(switches);
  return {
    fixes: fixes.filter((f) => UPSTREAM_FIXES[f] === undefined),
    mutants: checked(switches.mutants ?? [], KNOWN_MUTANTS, "mutant") as MutantName[],
    upstream,
    havePrSetNoNewPrivs: buildHasNoNewPrivs(scenario.unitd.havePrSetNoNewPrivs, upstream),
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

/** A --unit value checked: one of UNIT_VERSIONS, or a usage error naming them. */
export function unitVersion(value: string | undefined): UnitVersion {
  const v = value ?? DEFAULT_UNIT;
  if (!Object.hasOwn(UNIT_VERSIONS, v)) throw new UsageError(`unknown Unit version "${v}" (known: ${Object.keys(UNIT_VERSIONS).join(", ")})`);
  return v as UnitVersion;
}

/** The upstream commits in effect: the version's, then those of the upstream fixes switched on. */
export function upstreamOf(switches: ModelSwitches): UpstreamCommit[] {
  const out: UpstreamCommit[] = [...UNIT_VERSIONS[unitVersion(switches.unit)]];
  for (const f of switches.fixes ?? []) {
    const commit = UPSTREAM_FIXES[f as FixName];
    if (commit !== undefined && !out.includes(commit)) out.push(commit);
  }
  return out;
}

/** One line for a run's header: the version, and what of it the model does not have yet. */
export function unitVersionLine(unit: string | undefined): string {
  const v = unitVersion(unit);
  const missing = UNIT_VERSIONS[v].filter((c) => NOT_MODELLED_YET.includes(c));
  if (missing.length === 0) return `Unit ${v}`;
  return `Unit ${v}, NOT fully modelled: upstream commits not modelled yet: ${missing.join(", ")}`;
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
