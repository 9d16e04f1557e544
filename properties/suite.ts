// The property suite's predicate: run one generated (scenario, faults, schedule) on the
// simulated kernel and return every violation that is not a known c8d9106a finding. On a
// failure it writes a repro file, so the error names the one command that replays it.

import { runScenarioOnSim } from "../harness/run-sim.ts";
import { simRunView } from "../harness/run-view.ts";
import { reproCommand, writeRepro } from "../harness/repro.ts";
import type { FaultRates } from "../sim/index.ts";
import type { Violation } from "./check.ts";
import { scenarioFromGenome, scenarioJsonFromGenome, type Genome } from "./generators.ts";
import { checkRun } from "./index.ts";
import { isKnown } from "./known.ts";

export interface SuiteOptions {
  fixes?: string[];
  mutants?: string[];
}

export interface SuiteOutcome {
  violations: Violation[];
  steps: number;
  /** The run's recorded schedule (what a repro replays). */
  schedule: readonly number[];
}

/** Runs one generated case; the violations exclude known findings and include the step budget. */
export function suiteRun(genome: Genome, faults: FaultRates, schedule: readonly number[], options: SuiteOptions = {}): SuiteOutcome {
  const scenario = scenarioFromGenome(genome);
  const run = runScenarioOnSim(scenario, { seed: 0, faults, replay: schedule, fixes: options.fixes ?? [], mutants: options.mutants ?? [] });
  const violations = checkRun(simRunView(run, scenario)).filter((v) => isKnown(v) === undefined);
  if (run.result.reason !== "quiescent") {
    violations.push({ check: "terminates", reason: `the run ended by ${run.result.reason} after ${run.result.steps} steps`, step: run.result.steps });
  }
  return { violations, steps: run.result.steps, schedule: run.sim.choices };
}

/** The predicate for fast-check: throws with the violations and a replay command. */
export function assertSuiteCase(genome: Genome, faults: FaultRates, schedule: readonly number[], options: SuiteOptions = {}): void {
  const outcome = suiteRun(genome, faults, schedule, options);
  if (outcome.violations.length === 0) return;
  const path = writeRepro({
    nxtsim: "repro/1",
    scenario: scenarioJsonFromGenome(genome),
    seed: 0,
    faults,
    fixes: options.fixes ?? [],
    mutants: options.mutants ?? [],
    schedule: [...outcome.schedule],
    check: outcome.violations[0]!.check,
  });
  const lines = outcome.violations.map((v) => `  ${v.check}: ${v.reason}${v.step >= 0 ? ` (step ${v.step})` : ""}`);
  throw new Error(`${outcome.violations.length} violation(s):\n${lines.join("\n")}\nreplay: ${reproCommand(path)}`);
}
