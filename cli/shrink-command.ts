// nxtsim shrink (and explore --shrink): a failing run cut down to a minimal one failing the
// same check with the same cause, written as a repro, and told: what was removed, the fault
// kinds switched off, the minimal scenario pretty-printed with a description of its own.

import type { Scenario } from "../catalog/scenario.ts";
import { GENERATED, writeGeneratedScenario } from "../harness/generated.ts";
import { runChecks } from "../harness/checks.ts";
import { modelOptionsFor, unitVersion, UsageError } from "../harness/model-options.ts";
import { reproCommand, writeRepro } from "../harness/repro.ts";
import { dropUnneededFaults, originalScheduleLength, removedItems, withShrunkDescription } from "../harness/shrink-report.ts";
import type { Json } from "../lifecycle/kernel.ts";
import { shrinkRun, type ShrinkInput } from "../properties/shrink.ts";
import { noFaults } from "../sim/index.ts";
import { parseFaults, parseRunStrategy, parseSeed, resolveScenario, type LimitFlags, type StrategyFlags } from "./args.ts";
import { prettyJson } from "./pretty-json.ts";
import { causeLine, describeFaults } from "./report.ts";

interface Io {
  out: (text: string) => void;
}

export interface ShrinkFlags extends StrategyFlags, LimitFlags {
  scenario: string;
  fix?: string[];
  mutant?: string[];
  unit?: string;
  faults?: string;
  check?: string;
}

export interface ShrinkOutcome {
  /** What is printed: the shrunk failure, what was removed, the scenario, the replay line. */
  lines: string[];
  /** The repro file written. */
  path: string;
}

/** Shrinks a failing run and writes its repro; throws (an Error) when the run does not fail. */
export function shrinkAndWrite(input: ShrinkInput, options: { printScenario: boolean } = { printScenario: true }): ShrinkOutcome {
  const shrunk = dropUnneededFaults(input, shrinkRun(input));
  const scenario = withShrunkDescription(input.scenario, input.seed, shrunk);
  const path = writeRepro({
    nxtsim: "repro/1",
    scenario,
    seed: input.seed,
    faults: shrunk.faults,
    fixes: input.fixes,
    mutants: input.mutants,
    schedule: shrunk.schedule,
    check: shrunk.check,
    ...(input.strategy === undefined ? {} : { strategy: input.strategy }),
    ...(input.unit === undefined ? {} : { unit: input.unit }),
  });
  const removed = removedItems(input.scenario, shrunk, originalScheduleLength(input));
  const lines = [
    `shrunk: ${shrunk.check}: ${shrunk.violation.reason}`,
    causeLine(shrunk.cause),
    `steps: ${shrunk.originalSteps} -> ${shrunk.steps}, schedule: ${shrunk.schedule.length} choices, ${shrunk.tries} runs tried`,
    `faults: ${describeFaults(shrunk.faults)}`,
    ...(removed.length === 0 ? ["removed: nothing (the run was minimal)"] : ["removed:", ...removed.map((r) => `  - ${r}`)]),
    ...(options.printScenario ? ["scenario:", prettyJson(scenario)] : [`scenario: ${(scenario as { description: string }).description}`]),
    `replay: ${reproCommand(path)}`,
  ];
  return { lines, path };
}

export function shrinkCommand(seedText: string, flags: ShrinkFlags, io: Io): number {
  const seed = parseSeed(seedText, "seed");
  const { scenario } = resolveScenario(flags.scenario, flags.limit, seed, flags.unit);
  const faults = flags.faults === undefined ? noFaults() : parseFaults(flags.faults);
  const fixes = flags.fix ?? [];
  const mutants = flags.mutant ?? [];
  const strategy = parseRunStrategy(flags, "shrink");
  const unit = flags.unit === undefined ? {} : { unit: unitVersion(flags.unit) };
  modelOptionsFor(scenario, { fixes, mutants, ...unit });
  const checks = runChecks().map((c) => c.name);
  if (flags.check !== undefined && !checks.includes(flags.check)) {
    throw new UsageError(`--check: unknown check "${flags.check}" (known: ${checks.join(", ")})`);
  }
  let outcome;
  try {
    outcome = shrinkAndWrite({ scenario: scenarioJson(scenario), seed, faults, strategy, fixes, mutants, ...unit, ...(flags.check === undefined ? {} : { check: flags.check }) });
  } catch (e) {
    throw new UsageError(`shrink: ${(e as Error).message}`);
  }
  // A generated run's whole scenario goes beside its repro (the repro holds the shrunk one).
  const scenarioFile = flags.scenario === GENERATED ? [`scenario file (before shrinking): ${writeGeneratedScenario(seed)}`] : [];
  io.out([...outcome.lines, ...scenarioFile].join("\n") + "\n");
  return 1;
}

export function scenarioJson(scenario: Scenario): Json {
  return scenario as unknown as Json;
}
