// Run-level checks: what every explored run must satisfy, judged from the finished run (its
// trace, its RunResult and the kernel's process facts). Each check has a name, a one-line
// statement, and returns one reason per violation. The full property suite comes later;
// add new checks to RUN_CHECKS and explore, replay and the CLI pick them up.

import type { Scenario } from "../fixtures/scenario.ts";
import type { RunResult, Sim } from "../sim/index.ts";

/** What a check looks at: one finished run. */
export interface RunView {
  scenario: Scenario;
  sim: Sim;
  result: RunResult;
  mainPid: number;
}

export interface RunCheck {
  name: string;
  /** One line: what must hold. */
  statement: string;
  /** One reason per violation; empty when the run satisfies the check. */
  check(run: RunView): string[];
}

export interface CheckFailure {
  check: string;
  reason: string;
}

export interface CheckVerdict {
  check: string;
  statement: string;
  ok: boolean;
  reasons: string[];
}

export const noCrash: RunCheck = {
  name: "no-crash",
  statement: "no Unit process crashes (failed assertion, NULL call, abort)",
  check: ({ sim }) => {
    const out: string[] = [];
    for (const e of sim.trace) {
      if (e.kind === "crash") out.push(`${e.ptype || "process"} ${e.pid} crashed: ${e.reason}`);
    }
    return out;
  },
};

export const noInternalError: RunCheck = {
  name: "no-internal-error",
  statement: "the model never hits an internal error (a bug in the model or the simulator, not in Unit)",
  check: ({ sim, result }) => {
    const out: string[] = [];
    for (const e of sim.trace) {
      if (e.kind === "internal-error") out.push(`internal error in ${e.ptype || "process"} ${e.pid}: ${e.message}`);
    }
    if (out.length === 0 && result.reason === "internal-error") out.push("the run stopped on an internal error");
    return out;
  },
};

export const terminates: RunCheck = {
  name: "terminates",
  statement: "the run quiesces (nothing left to run) within the step budget",
  check: ({ result }) =>
    result.reason === "max-steps" ? [`the run did not quiesce within ${result.steps} steps`] : [],
};

const STOP_SIGNALS = new Set(["SIGQUIT", "SIGTERM", "SIGINT"]);

/** The scenario asks main to shut down (SIGQUIT, SIGTERM or SIGINT to main). */
export function scenarioStopsMain(scenario: Scenario): boolean {
  return scenario.actions.some((a) => a.do === "signal" && a.target.role === "main" && STOP_SIGNALS.has(a.signal));
}

export const shutdownCompletes: RunCheck = {
  name: "shutdown-completes",
  statement: "after main is told to stop (SIGQUIT/SIGTERM/SIGINT), every process exits and is reaped",
  check: ({ scenario, sim, result }) => {
    // A run that did not quiesce is the business of `terminates` (or of an internal error).
    if (!scenarioStopsMain(scenario) || result.reason !== "quiescent") return [];
    const out: string[] = [];
    for (const p of sim.processes()) {
      const who = `${p.ptype || "process"} ${p.pid}`;
      if (p.status === "running") out.push(`${who} is still running after shutdown`);
      else if (p.status === "zombie") out.push(`${who} exited but was never reaped (zombie)`);
    }
    return out;
  },
};

/** Every run-level check, in the order they are reported. */
export const RUN_CHECKS: readonly RunCheck[] = [noCrash, noInternalError, terminates, shutdownCompletes];

/** Every check's verdict on one run. */
export function verdicts(run: RunView, checks: readonly RunCheck[] = RUN_CHECKS): CheckVerdict[] {
  return checks.map((c) => {
    const reasons = c.check(run);
    return { check: c.name, statement: c.statement, ok: reasons.length === 0, reasons };
  });
}

/** The failures of one run, one per violated reason. */
export function checkRun(run: RunView, checks: readonly RunCheck[] = RUN_CHECKS): CheckFailure[] {
  return verdicts(run, checks).flatMap((v) => v.reasons.map((reason) => ({ check: v.check, reason })));
}
