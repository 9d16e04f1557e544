// explore on the real kernel: runs of the scenarios (round-robin) until a run count or a time
// budget is spent, each checked with the same properties as in the sim. A real run is one
// schedule the kernel chose; it has no seed and cannot be replayed, so a failure is reported
// with its scenario and the run's number, and its trace can be saved.
//
// The time budget is a wall-clock limit, the run in progress included, and so is an abort
// (an interrupt): either cuts the run under way at once, whose real processes are then torn
// down as after a timeout. A cut run is not a run made (as in harness/wall-budget.ts): it is
// neither counted nor judged.

import type { Scenario } from "../catalog/scenario.ts";
import { checkRun } from "../properties/index.ts";
import { confinementLine } from "../real/confine.ts";
import { runScenarioOnReal, type RealRun } from "../real/run-real.ts";
import { realRunView } from "./run-view.ts";

export interface RealExploreOptions {
  scenarios: readonly Scenario[];
  refs: readonly string[];
  fixes: readonly string[];
  mutants: readonly string[];
  /** The Unit version (--unit); default c8d9106a. */
  unit?: string;
  runs?: number;
  timeSeconds?: number;
  /** Each run's own time (--run-time): past it the run ends as "timeout" (default: run-real.ts's). */
  runSeconds?: number;
  /** Aborted: the run in progress is cut and the exploration ends (stoppedBy "interrupted"). */
  signal?: AbortSignal;
  onRun?: (done: number, run: RealRun) => void;
}

export interface RealFailure {
  check: string;
  reason: string;
  scenario: string;
  /** Number of the first run that showed it, and how many runs did. */
  firstRun: number;
  count: number;
}

export interface RealExploreResult {
  runs: number;
  events: number;
  wallMs: number;
  timeouts: number;
  failures: RealFailure[];
  /** The first run's confinement (real/confine.ts), one line; null when no run was made. */
  confinement: string | null;
  /** Runs whose cgroup cap could not be applied (each says why in its confinement). */
  uncapped: number;
  /** What ended it: the run count, the time budget, or an abort. */
  stoppedBy: "runs" | "time" | "interrupted";
  /** A run in progress was cut (by the time budget or the abort), and not counted. */
  cutRun: boolean;
}

export async function exploreReal(options: RealExploreOptions): Promise<RealExploreResult> {
  const start = performance.now();
  const endsAt = start + (options.timeSeconds ?? Number.POSITIVE_INFINITY) * 1000;
  const aborted = (): boolean => options.signal?.aborted === true;
  const deadline = (): boolean => aborted() || performance.now() >= endsAt;
  const timeoutMs = options.runSeconds === undefined ? {} : { timeoutMs: options.runSeconds * 1000 };
  const runs = options.runs ?? (options.timeSeconds === undefined ? options.scenarios.length : Number.POSITIVE_INFINITY);
  const byKey = new Map<string, RealFailure>();
  let done = 0;
  let events = 0;
  let timeouts = 0;
  let confinement: string | null = null;
  let uncapped = 0;
  let cutRun = false;
  while (done < runs && !deadline()) {
    const i = done % options.scenarios.length;
    const scenario = options.scenarios[i]!;
    const run = await runScenarioOnReal(scenario, { fixes: [...options.fixes], mutants: [...options.mutants], ...(options.unit === undefined ? {} : { unit: options.unit }), deadline, ...timeoutMs });
    if (run.reason === "budget") {
      cutRun = true;
      break;
    }
    done++;
    events += run.trace.length;
    if (run.reason === "timeout") timeouts++;
    confinement ??= confinementLine(run.confinement, false);
    if (run.confinement.cgroup?.applied !== true) uncapped++;
    const inThisRun = new Set<string>();
    for (const v of checkRun(realRunView(run, scenario, options.unit))) {
      const reason = v.reason.replace(/\d+/g, "N");
      const key = `${v.check}\n${options.refs[i]}\n${reason}`;
      if (inThisRun.has(key)) continue;
      inThisRun.add(key);
      const seen = byKey.get(key);
      if (seen !== undefined) seen.count++;
      else byKey.set(key, { check: v.check, reason: v.reason, scenario: options.refs[i]!, firstRun: done, count: 1 });
    }
    options.onRun?.(done, run);
  }
  const stoppedBy = aborted() ? "interrupted" : done < runs ? "time" : "runs";
  return { runs: done, events, wallMs: Math.round(performance.now() - start), timeouts, failures: [...byKey.values()], confinement, uncapped, stoppedBy, cutRun };
}
