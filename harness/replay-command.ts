// The `nxtsim replay` command line that reproduces one run exactly, as every failure carries it.

import type { FaultRates } from "../sim/index.ts";
import { RANDOM, strategyFlags, type RunStrategy } from "../sim/strategies/index.ts";
import { DEFAULT_UNIT } from "../lifecycle/options.ts";
import { FAULT_NAMES } from "./explore-seeds.ts";

export interface ReplaySpec {
  seed: number;
  /** A shipped scenario's name, or a scenario file's path. */
  scenario: string;
  faults: FaultRates;
  strategy?: RunStrategy;
  fixes: readonly string[];
  mutants: readonly string[];
  unit?: string;
  maxSteps?: number;
}

function shellQuote(s: string): string {
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}

/** Fault rates as the --faults argument writes them (null when all are zero). */
export function faultsArgument(faults: FaultRates): string | null {
  return FAULT_NAMES.every((n) => faults[n] === 0) ? null : JSON.stringify(faults);
}

/** The command line that reproduces one run exactly. */
export function replayCommand(spec: ReplaySpec): string {
  const parts = ["npx", "nxtsim", "replay", String(spec.seed), "--scenario", shellQuote(spec.scenario)];
  const faults = faultsArgument(spec.faults);
  if (faults !== null) parts.push("--faults", shellQuote(faults));
  parts.push(...strategyFlags(spec.strategy ?? RANDOM));
  for (const f of spec.fixes) parts.push("--fix", shellQuote(f));
  for (const m of spec.mutants) parts.push("--mutant", shellQuote(m));
  if (spec.unit !== undefined && spec.unit !== DEFAULT_UNIT) parts.push("--unit", shellQuote(spec.unit));
  if (spec.maxSteps !== undefined) parts.push("--max-steps", String(spec.maxSteps));
  return parts.join(" ");
}
