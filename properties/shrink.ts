// Shrinking a failing run to a minimal one that still fails the SAME check: first the
// scenario (drop actions, apps, processes, namespaces, pid tweaks, one at a time, keeping
// each change that still fails), then the schedule with fast-check's array shrinker (fewer
// recorded choices, smaller values: toward "first runnable event" and "no fault"). The shrunk
// run's failure keeps the original's cause (harness/attribution.ts): a new failure is never
// shrunk into a known one, nor one known cause into another.

import fc from "fast-check";
import type { Scenario } from "../catalog/scenario.ts";
import { parseScenario } from "../catalog/scenario-parse.ts";
import { DEFAULT_LIMITS } from "../catalog/limits.ts";
import { upstreamOf } from "../harness/model-options.ts";
import { attributeFailures, type Cause } from "../harness/attribution.ts";
import { runScenarioOnSim } from "../harness/run-sim.ts";
import { simRunView } from "../harness/run-view.ts";
import type { Json } from "../lifecycle/kernel.ts";
import type { FaultRates } from "../sim/index.ts";
import { policyFor, RANDOM, type RunStrategy } from "../sim/strategies/index.ts";
import type { Violation } from "./check.ts";
import { checkRun } from "./index.ts";

export interface ShrinkInput {
  /** The scenario as a file would hold it. */
  scenario: Json;
  seed: number | string;
  faults: FaultRates;
  /** How the original run's choices were made (default random); edited schedules replay without it. */
  strategy?: RunStrategy;
  fixes: string[];
  mutants: string[];
  /** The Unit version (--unit); default c8d9106a. */
  unit?: string;
  /** The check that must keep failing; default: the first one the original run fails. */
  check?: string;
}

export interface ShrinkResult {
  check: string;
  scenario: Json;
  schedule: number[];
  violation: Violation;
  /** Its cause, the same as the original failure's: the fix that removes it, or null (new). */
  cause: Cause;
  originalSteps: number;
  steps: number;
  /** Runs made while shrinking. */
  tries: number;
}

interface Attempt {
  violations: Violation[];
  steps: number;
  schedule: number[];
}

function attempt(input: ShrinkInput, scenarioJson: Json, schedule: readonly number[] | null, fixes: readonly string[] = input.fixes): Attempt | null {
  const parsed = parseScenario(scenarioJson, "shrink candidate", DEFAULT_LIMITS, upstreamOf(input));
  if (!parsed.ok) return null;
  const scenario: Scenario = parsed.scenario;
  const policy = schedule === null ? policyFor(input.strategy ?? RANDOM, input.seed) : undefined;
  const run = runScenarioOnSim(scenario, {
    ...(policy === undefined ? {} : { policy }),
    seed: input.seed,
    faults: input.faults,
    fixes: [...fixes],
    mutants: input.mutants,
    ...(input.unit === undefined ? {} : { unit: input.unit }),
    ...(schedule === null ? {} : { replay: schedule }),
  });
  const violations = checkRun(simRunView(run, scenario));
  if (run.result.reason !== "quiescent") violations.push({ check: "terminates", reason: `ended by ${run.result.reason}`, step: run.result.steps });
  return { violations, steps: run.result.steps, schedule: [...run.sim.choices] };
}

/** Scenario simplifications, simplest-first; each is a whole new scenario JSON. */
export function scenarioCandidates(json: Json): Json[] {
  const s = json as { unitd?: Record<string, Json>; config?: { applications?: Record<string, Record<string, Json>> }; actions?: Json[] };
  const out: Json[] = [];
  const edit = (change: (copy: typeof s) => boolean) => {
    const copy = structuredClone(s);
    if (change(copy)) out.push(copy as Json);
  };
  (s.actions ?? []).forEach((_, i) => edit((c) => (c.actions!.splice(i, 1), true)));
  (s.actions ?? []).forEach((a, i) => {
    const count = (a as Record<string, Json>)["count"];
    if (typeof count === "number" && count > 1) edit((c) => (((c.actions![i] as Record<string, Json>)["count"] = count - 1), true));
  });
  for (const name of Object.keys(s.config?.applications ?? {})) {
    edit((c) => {
      delete c.config!.applications![name];
      c.actions = (c.actions ?? []).filter((a) => JSON.stringify(a).indexOf(`"${name}"`) < 0);
      return true;
    });
    const app = s.config!.applications![name]!;
    if (typeof app["processes"] === "number" && app["processes"] > 1) {
      edit((c) => ((c.config!.applications![name]!["processes"] = (app["processes"] as number) - 1), true));
    }
    for (const member of ["max", "spare"] as const) {
      const processes = app["processes"] as Record<string, Json> | undefined;
      const value = typeof processes === "object" && processes !== null ? processes[member] : undefined;
      // Each candidate keeps Unit's rule 1 <= max, spare <= max (an invalid one is skipped anyway).
      if (typeof value === "number" && value > (member === "max" ? 1 : 0)) {
        edit((c) => (((c.config!.applications![name]!["processes"] as Record<string, Json>)[member] = value - 1), true));
      }
    }
    const iso = app["isolation"] as Record<string, Record<string, Json>> | undefined;
    if (iso?.["uidmap"] !== undefined || iso?.["gidmap"] !== undefined) {
      edit((c) => {
        const ci = c.config!.applications![name]!["isolation"] as Record<string, Json>;
        delete ci["uidmap"];
        delete ci["gidmap"];
        return true;
      });
    }
    for (const ns of Object.keys(iso?.["namespaces"] ?? {})) {
      edit((c) => (delete (c.config!.applications![name]!["isolation"] as Record<string, Record<string, Json>>)["namespaces"]![ns], true));
    }
  }
  if (s.unitd?.["firstPid"] !== undefined) edit((c) => (delete c.unitd!["firstPid"], true));
  if (s.unitd?.["pidMax"] !== undefined) edit((c) => (delete c.unitd!["pidMax"], true));
  return out;
}

/** The causes of a run's failures of `check` (the same scenario and choices, each fix added in turn). */
function causesOf(input: ShrinkInput, scenarioJson: Json, schedule: readonly number[] | null, a: Attempt, check: string): Cause[] {
  const own = a.violations.filter((v) => v.check === check);
  const rerun = (fixes: readonly string[]) => attempt(input, scenarioJson, schedule, fixes)?.violations ?? [];
  return attributeFailures(own, input.fixes, rerun).map((v) => v.cause);
}

/**
 * Shrinks with the check alone deciding what still fails (cheap), then checks that the result
 * has the original's cause; when it has not, shrinks again keeping only candidates with that
 * cause (a rerun per fix for each candidate that fails the check).
 */
export function shrinkRun(input: ShrinkInput): ShrinkResult {
  const original = attempt(input, input.scenario, null);
  if (original === null) throw new Error("the scenario to shrink is not valid");
  const check = input.check ?? original.violations[0]?.check;
  if (check === undefined) throw new Error("the run does not fail any check: nothing to shrink");
  if (!original.violations.some((v) => v.check === check)) throw new Error(`the run does not fail check "${check}"`);
  const cause = causesOf(input, input.scenario, null, original, check)[0]!;
  const quick = shrinkWith(input, original, check, () => true);
  if (causesOf(input, quick.scenario, quick.schedule, quick.best, check).includes(cause)) return result(quick, original, check, cause);
  const strict = shrinkWith(input, original, check, (json, schedule, a) => causesOf(input, json, schedule, a, check).includes(cause));
  return { ...result(strict, original, check, cause), tries: quick.tries + strict.tries };
}

interface Shrunk {
  scenario: Json;
  schedule: number[];
  best: Attempt;
  tries: number;
}

function result(s: Shrunk, original: Attempt, check: string, cause: Cause): ShrinkResult {
  return {
    check,
    scenario: s.scenario,
    schedule: s.best.schedule,
    violation: s.best.violations.find((v) => v.check === check)!,
    cause,
    originalSteps: original.steps,
    steps: s.best.steps,
    tries: s.tries,
  };
}

type Keep = (scenarioJson: Json, schedule: readonly number[] | null, a: Attempt) => boolean;

function shrinkWith(input: ShrinkInput, original: Attempt, check: string, keep: Keep): Shrunk {
  let tries = 1;
  const failsAt = (json: Json, sched: readonly number[] | null, a: Attempt | null): a is Attempt =>
    a !== null && a.violations.some((v) => v.check === check) && keep(json, sched, a);
  // 1. The scenario, with the run's own recorded schedule.
  let scenario = input.scenario;
  let schedule = original.schedule;
  for (let progress = true; progress; ) {
    progress = false;
    for (const candidate of scenarioCandidates(scenario)) {
      tries++;
      const a = attempt(input, candidate, schedule);
      if (failsAt(candidate, schedule, a)) {
        scenario = candidate;
        schedule = a.schedule;
        progress = true;
        break;
      }
    }
  }

  // 2. The schedule: fast-check shrinks the recorded choices as an example of the schedule arbitrary.
  let best = attempt(input, scenario, schedule)!;
  const details = fc.check(
    fc.property(fc.array(fc.nat({ max: 0xffff }), { maxLength: Math.max(schedule.length, 1) }), (candidate) => {
      tries++;
      const a = attempt(input, scenario, candidate);
      if (failsAt(scenario, candidate, a)) {
        if (a.schedule.length <= best.schedule.length) best = a;
        return false;
      }
      return true;
    }),
    { examples: [[schedule]], numRuns: 1, seed: 0 },
  );
  if (details.failed && details.counterexample !== null) {
    const replayed = details.counterexample[0] ?? [];
    const last = attempt(input, scenario, replayed);
    if (failsAt(scenario, replayed, last)) best = last;
  }
  return { scenario, schedule: best.schedule, best, tries };
}
