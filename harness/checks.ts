// Run-level checks: what every explored run must satisfy, judged from the finished run: the
// step budget (`terminates`) and every property of properties/ (trace and kernel facts).
// explore, replay and the CLI report them in this order.

import type { Scenario } from "../catalog/scenario.ts";
import { activeChecks, addCheck, ALL_CHECKS, type Check, type RunView as PropertyRunView } from "../properties/index.ts";
import { memoOn } from "../properties/memo-on.ts";
import { simRunView } from "./run-view.ts";
import type { RunResult, Sim } from "../sim/index.ts";
import { UsageError } from "./model-options.ts";

/** What a check looks at: one finished run. */
export interface RunView {
  scenario: Scenario;
  sim: Sim;
  result: RunResult;
  mainPid: number;
  /** The Unit version run (--unit); default c8d9106a. */
  unit?: string;
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

export const terminates: RunCheck = {
  name: "terminates",
  statement: "the run quiesces (nothing left to run) within the step budget",
  check: ({ result }) =>
    result.reason === "max-steps" ? [`the run did not quiesce within ${result.steps} steps`] : [],
};

/**
 * The properties' view of a run, made once for all the checks of one verdict: building it (the
 * kernel facts of every process) for each check again was about a sixth of the checks' time.
 */
const PROPERTY_VIEW = Symbol("property view");

function propertyView(run: RunView): PropertyRunView {
  return memoOn(run, PROPERTY_VIEW, () => simRunView(run, run.scenario));
}

/** A property of properties/ as a run-level check (it reads the trace and kernel facts only). */
function fromProperty(property: Check): RunCheck {
  return {
    name: property.name,
    statement: property.claim,
    check: (run) => property.check(propertyView(run)).map((v) => v.reason),
  };
}

/** Every built-in run-level check, in the order they are reported. */
export const RUN_CHECKS: readonly RunCheck[] = [terminates, ...ALL_CHECKS.map(fromProperty)];

/** The built-in run-level checks, then the registered ones. */
export function runChecks(): readonly RunCheck[] {
  const active = activeChecks();
  return active === ALL_CHECKS ? RUN_CHECKS : [...RUN_CHECKS, ...active.slice(ALL_CHECKS.length).map(fromProperty)];
}

/**
 * Registers a check of one's own: from then on, every run of this process (explore in the main
 * thread, replay, shrink, the property suite) applies it after the built-in ones, and its
 * failures are reported and attributed like theirs. Worker threads do not see it.
 */
export function registerCheck(check: Check): void {
  if (!/^[a-z0-9][a-z0-9-]*$/.test(check.name)) throw new UsageError(`a check's name is lower-case words joined by "-", got "${check.name}"`);
  if (runChecks().some((c) => c.name === check.name)) throw new UsageError(`there is already a check named "${check.name}"`);
  addCheck(check);
}

/** The checks (built-in and registered) with these names, in their order: what an attribution rerun needs to judge. */
export function checksNamed(names: ReadonlySet<string>): readonly RunCheck[] {
  return runChecks().filter((c) => names.has(c.name));
}

/** Whether checks were registered (they apply in the main thread only). */
export function haveRegisteredChecks(): boolean {
  return activeChecks() !== ALL_CHECKS;
}

/** Every check's verdict on one run. */
export function verdicts(run: RunView, checks: readonly RunCheck[] = runChecks()): CheckVerdict[] {
  return checks.map((c) => {
    const reasons = c.check(run);
    return { check: c.name, statement: c.statement, ok: reasons.length === 0, reasons };
  });
}

/** The failures of one run, one per violated reason. */
export function checkRun(run: RunView, checks: readonly RunCheck[] = runChecks()): CheckFailure[] {
  return verdicts(run, checks).flatMap((v) => v.reasons.map((reason) => ({ check: v.check, reason })));
}
