// explore on the real kernel: runs of the scenarios (round-robin) until a run count or a time
// budget is spent, each checked with the same properties as in the sim. A real run is one
// schedule the kernel chose; it has no seed and cannot be replayed, so a failure is reported
// with its scenario and the run's number, and its trace can be saved.

import type { Scenario } from "../fixtures/scenario.ts";
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
}

export async function exploreReal(options: RealExploreOptions): Promise<RealExploreResult> {
  const start = Date.now();
  const budgetMs = (options.timeSeconds ?? Number.POSITIVE_INFINITY) * 1000;
  const runs = options.runs ?? (options.timeSeconds === undefined ? options.scenarios.length : Number.POSITIVE_INFINITY);
  const byKey = new Map<string, RealFailure>();
  let done = 0;
  let events = 0;
  let timeouts = 0;
  let confinement: string | null = null;
  let uncapped = 0;
  while (done < runs && Date.now() - start < budgetMs) {
    const i = done % options.scenarios.length;
    const scenario = options.scenarios[i]!;
    const run = await runScenarioOnReal(scenario, { fixes: [...options.fixes], mutants: [...options.mutants], ...(options.unit === undefined ? {} : { unit: options.unit }) });
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
  return { runs: done, events, wallMs: Date.now() - start, timeouts, failures: [...byKey.values()], confinement, uncapped };
}
