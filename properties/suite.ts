// The property suite's predicate: run one generated (scenario, faults, schedule) on the
// simulated kernel and return every violation that no known fix removes (a known c8d9106a
// finding is one the same case with that fix on no longer has: harness/attribution.ts). On a
// failure it writes a repro file, so the error names the one command that replays it.
//
// NXTSIM_STRATEGY=swarm|pct (NXTSIM_PCT_DEPTH, NXTSIM_PCT_STEPS) makes each case's schedule
// with that strategy instead of replaying the generated one: the generated schedule then only
// seeds the strategy (so fast-check's shrinking of it changes the run rather than simplifying
// it), and the repro file holds the schedule the run really took, which replays exactly.
// NXTSIM_UNIT=1.35 runs the suite on that Unit version (lifecycle/options.ts UNIT_VERSIONS).

import { runScenarioOnSim } from "../harness/run-sim.ts";
import { unitVersion } from "../harness/model-options.ts";
import { simRunView } from "../harness/run-view.ts";
import { reproCommand, writeRepro } from "../harness/repro.ts";
import type { FaultRates } from "../sim/index.ts";
import { DEFAULT_PCT, pctParamsProblem, policyFor, type RunStrategy } from "../sim/strategies/index.ts";
import type { Violation } from "./check.ts";
import { scenarioFromGenome, scenarioJsonFromGenome, type Genome } from "./generators.ts";
import { checkRun } from "./index.ts";
import { attributeFailures } from "../harness/attribution.ts";
import type { SimRun } from "../harness/run-sim.ts";
import type { Scenario } from "../catalog/scenario.ts";

export interface SuiteOptions {
  fixes?: string[];
  mutants?: string[];
  /** Default: NXTSIM_STRATEGY (random when unset). */
  strategy?: RunStrategy;
  /** The Unit version; default: NXTSIM_UNIT (c8d9106a when unset). */
  unit?: string;
}

/** The suite's Unit version from NXTSIM_UNIT (c8d9106a when unset); an unknown one throws. */
export function suiteUnit(env: Record<string, string | undefined> = process.env): string {
  return unitVersion(env["NXTSIM_UNIT"]);
}

/** The suite's strategy from NXTSIM_STRATEGY, NXTSIM_PCT_DEPTH and NXTSIM_PCT_STEPS. */
export function suiteStrategy(env: Record<string, string | undefined> = process.env): RunStrategy {
  const name = env["NXTSIM_STRATEGY"] ?? "random";
  if (name === "random" || name === "swarm") return { name };
  if (name !== "pct") throw new Error(`NXTSIM_STRATEGY must be random, swarm or pct, got "${name}"`);
  const params = { depth: Number(env["NXTSIM_PCT_DEPTH"] ?? DEFAULT_PCT.depth), steps: Number(env["NXTSIM_PCT_STEPS"] ?? DEFAULT_PCT.steps) };
  const problem = pctParamsProblem(params);
  if (problem !== null) throw new Error(`NXTSIM_PCT_DEPTH/NXTSIM_PCT_STEPS: ${problem}`);
  return { name: "pct", ...params };
}

export interface SuiteOutcome {
  violations: Violation[];
  steps: number;
  /** The run's recorded schedule (what a repro replays). */
  schedule: readonly number[];
}

/** A run's violations, the step budget included. */
function violationsOf(run: SimRun, scenario: Scenario): Violation[] {
  const violations = checkRun(simRunView(run, scenario));
  if (run.result.reason !== "quiescent") {
    violations.push({ check: "terminates", reason: `the run ended by ${run.result.reason} after ${run.result.steps} steps`, step: run.result.steps });
  }
  return violations;
}

/**
 * Runs one generated case; its violations, but for those a known fix removes from the same
 * case (the same schedule, or the same strategy seed, with that fix switched on).
 */
export function suiteRun(genome: Genome, faults: FaultRates, schedule: readonly number[], options: SuiteOptions = {}): SuiteOutcome {
  const scenario = scenarioFromGenome(genome);
  const strategy = options.strategy ?? suiteStrategy();
  const fixesOn = options.fixes ?? [];
  const unit = options.unit ?? suiteUnit();
  const runWith = (fixes: readonly string[]): SimRun => {
    const switches = { fixes: [...fixes], mutants: options.mutants ?? [], unit };
    return strategy.name === "random"
      ? runScenarioOnSim(scenario, { seed: 0, faults, replay: schedule, ...switches })
      : runScenarioOnSim(scenario, { seed: 0, faults, policy: policyFor(strategy, `suite/${schedule.join(",")}`)!, ...switches });
  };
  const run = runWith(fixesOn);
  const attributed = attributeFailures(violationsOf(run, scenario), fixesOn, (fixes) => violationsOf(runWith(fixes), scenario));
  const violations = attributed.filter((v) => v.cause === null).map(({ cause: _, ...v }) => v);
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
    unit: options.unit ?? suiteUnit(),
  });
  const lines = outcome.violations.map((v) => `  ${v.check}: ${v.reason}${v.step >= 0 ? ` (step ${v.step})` : ""}`);
  throw new Error(`${outcome.violations.length} violation(s):\n${lines.join("\n")}\nreplay: ${reproCommand(path)}`);
}
