// nxtsim as a library: what the CLI does, as typed functions. Load and check scenarios, make
// one run on the simulated kernel and judge it, explore many runs (interruptible, on worker
// threads if asked), register checks of one's own, and replay a repro file.
//
// Plain Node loads this through api/index.js (it compiles the TypeScript with tsx); with tsx
// or vitest it can be imported directly. Bad input throws UsageError with a one-line message.

import type { Scenario } from "../catalog/scenario.ts";
import { verdicts, type CheckVerdict } from "../harness/checks.ts";
import { exploreUntilAborted } from "../harness/explore.ts";
import type { ExploreOptions as HarnessExploreOptions } from "../harness/explore-plan.ts";
import type { ExploreResult } from "../harness/explore-result.ts";
import { runOnce } from "../harness/explore-run.ts";
import { modelOptionsFor } from "../harness/model-options.ts";
import { loadRepro, runRepro } from "../harness/repro.ts";
import type { SimRun } from "../harness/run-sim.ts";
import { exploreOnWorkers } from "../harness/workers.ts";
import type { TraceEvent } from "../lifecycle/trace.ts";
import { noFaults, type FaultRates, type RunResult } from "../sim/index.ts";
import type { RunStrategy } from "../sim/strategies/index.ts";

export { loadScenario, parseScenario } from "../catalog/scenario-parse.ts";
export { listScenarios, scenarioByName } from "../catalog/shipped-scenarios.ts";
export type { Scenario, ScenarioAction, ScenarioResult } from "../catalog/scenario.ts";
export { registerCheck, runChecks } from "../harness/checks.ts";
export type { CheckVerdict, RunCheck } from "../harness/checks.ts";
export type { Check, KernelFacts, RunView, Violation } from "../properties/index.ts";
export { portMsgCode, type PortMsgName } from "../properties/unit-rules.ts";
export type { ExploreProgress } from "../harness/explore-plan.ts";
export type { ExploreResult } from "../harness/explore-result.ts";
export type { DistinctFailure } from "../harness/tally.ts";
export { mergeResults, readResultFile } from "../harness/result-file.ts";
export { exploreSummary } from "../cli/report.ts";
export { UsageError } from "../harness/model-options.ts";
export { KNOWN_FIXES, KNOWN_MUTANTS } from "../lifecycle/options.ts";
export { FAULT_KINDS, noFaults, type FaultRates } from "../sim/index.ts";
export type { RunStrategy } from "../sim/strategies/index.ts";
export type { TraceEvent } from "../lifecycle/trace.ts";

/** How one run is made: the same options as `nxtsim replay`. */
export interface RunOptions {
  seed: number;
  /** Fault rates (default none); kinds left out are 0. */
  faults?: Partial<FaultRates>;
  /** How the scheduling choices are made (default random). */
  strategy?: RunStrategy;
  /** Fixes and mutants of lifecycle/options.ts to switch on. */
  fixes?: readonly string[];
  mutants?: readonly string[];
  /** Step budget (default 20000). */
  maxSteps?: number;
}

/** A finished run and every check's verdict on it. */
export interface RunReport {
  steps: number;
  events: number;
  /** Why the run ended: "quiescent" (nothing left to do) or the step budget. */
  end: RunResult["reason"];
  /** Equal hashes: equal traces (a replay reproduces its run). */
  traceHash: string;
  trace: readonly TraceEvent[];
  /** Every check (the built-in ones, then the registered ones), in order. */
  verdicts: CheckVerdict[];
  /** No check failed. */
  ok: boolean;
}

function reportOf(scenario: Scenario, run: SimRun): RunReport {
  const v = verdicts({ scenario, ...run });
  return {
    steps: run.result.steps,
    events: run.result.events,
    end: run.result.reason,
    traceHash: run.sim.traceHash(),
    trace: run.sim.trace,
    verdicts: v,
    ok: v.every((x) => x.ok),
  };
}

/** Makes one run of `scenario` on the simulated kernel, exactly as explore and replay do. */
export function runScenario(scenario: Scenario, options: RunOptions): RunReport {
  modelOptionsFor(scenario, { fixes: options.fixes ?? [], mutants: options.mutants ?? [] });
  const run = runOnce(scenario, { ...options, faults: { ...noFaults(), ...options.faults } });
  return reportOf(scenario, run);
}

/** Replays a repro file (written by shrink, the property suite or explore --strategy exhaustive). */
export function replayRepro(path: string): RunReport & { check: string | null } {
  const { repro, scenario } = loadRepro(path);
  return { ...reportOf(scenario, runRepro(repro, scenario)), check: repro.check };
}

export interface ExploreOptions extends Omit<HarnessExploreOptions, "onRun" | "now"> {
  /** Make the runs on this many worker threads (default: in this thread). */
  workers?: number;
  /** Stops the exploration when aborted: the runs made so far are the result, stopped by "interrupted". */
  signal?: AbortSignal;
}

/**
 * Explores: seeded runs round-robin over the scenarios until the run or time budget is spent
 * (default 15 s when no `runs` is given), each judged by every check. The result is what
 * `nxtsim explore --json` writes; exploreSummary(result) is the text the CLI prints.
 */
export async function explore(options: ExploreOptions): Promise<ExploreResult> {
  const { workers, signal, ...rest } = options;
  const stop = signal ?? new AbortController().signal;
  return workers === undefined ? exploreUntilAborted(rest, stop) : exploreOnWorkers(rest, workers, stop);
}
