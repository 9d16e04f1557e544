// `explore --strategy exhaustive`: every schedule of one small scenario within bounds
// (sim/strategies/exhaustive.ts), checked against the handshake-order properties, which are
// prefix-closed (a violation shows in every longer trace), so a run cut at a known state
// has been checked as far as it went. Fault-free: the search is over schedules only.

import type { Scenario } from "../catalog/scenario.ts";
import { ALL_CHECKS } from "../properties/index.ts";
import type { TraceEvent } from "../lifecycle/trace.ts";
import { exhaustiveSearch, sleepSets, type ExhaustiveBounds, type ExhaustiveResult } from "../sim/strategies/exhaustive.ts";
import type { World } from "../sim/world.ts";
import { transitionsOf } from "./coverage.ts";
import { modelOptionsFor } from "./model-options.ts";
import { resumeScenarioOnSim, runScenarioOnSim } from "./run-sim.ts";
import { simRunView } from "./run-view.ts";

/** The properties an exhaustive search proves (prefix-closed, with a monitor below). */
export const EXHAUSTIVE_CHECKS = ["handshake-order", "maps-before-credentials"] as const;

/** No preemption bound by default, as the README and --help say: a bound defeats state hashing and turns sleep sets off. */
export const DEFAULT_EXHAUSTIVE = { maxSteps: 200, maxPreemptions: null, timeSeconds: 60 } as const;

export interface ExhaustiveOptions {
  scenario: Scenario;
  fixes?: readonly string[];
  mutants?: readonly string[];
  /** The Unit version (--unit); default c8d9106a. */
  unit?: string;
  maxSteps?: number;
  /** null: unbounded. */
  maxPreemptions?: number | null;
  timeSeconds?: number;
  /** On by default; off only to check that they lose nothing (hashing, por) or to measure (snapshots). */
  hashing?: boolean;
  por?: boolean;
  snapshots?: boolean;
  /** Walk the whole world at every state digest too, and throw when the tracked one differs (tests). */
  checkDigests?: boolean;
  now?: () => number;
}

export interface ExhaustiveReport extends ExhaustiveResult {
  bounds: ExhaustiveBounds & { timeSeconds: number };
  checks: readonly string[];
  /** Distinct (process type, handshake state, message type) transitions over all runs. */
  transitions: number;
  wallMs: number;
}

/**
 * What the checked properties still need to know of a trace: per process its handshake
 * steps, and the uid_map/setgroups/gid_map writes main made for it before its first set*id.
 * Two states with equal worlds and equal monitors pass or fail the properties alike from then on.
 */
export function handshakeMonitor(trace: readonly TraceEvent[]): string {
  const log = new Map<number, string[]>();
  const setIds = new Set<number>();
  const add = (pid: number, what: string) => log.set(pid, [...(log.get(pid) ?? []), what]);
  for (const e of trace) {
    if (e.kind === "model" && e.event.what === "handshake") add(e.pid, e.event.step);
    else if (e.kind === "syscall" && e.call === "writeProcFile" && e.ret === null) {
      const args = e.args as { pid: number; file: string };
      if (!setIds.has(args.pid)) add(args.pid, `w:${args.file}`);
    } else if (e.kind === "syscall" && (e.call === "setgid" || e.call === "setuid" || e.call === "setgroups") && !setIds.has(e.pid)) {
      setIds.add(e.pid);
      add(e.pid, "setid");
    }
  }
  return [...log].sort((a, b) => a[0] - b[0]).map(([pid, steps]) => `${pid}:${steps.join(",")}`).join(";");
}

export function exploreExhaustive(o: ExhaustiveOptions): ExhaustiveReport {
  const fixes = [...(o.fixes ?? [])];
  const mutants = [...(o.mutants ?? [])];
  const unit = o.unit === undefined ? {} : { unit: o.unit };
  modelOptionsFor(o.scenario, { fixes, mutants, ...unit });
  const checks = ALL_CHECKS.filter((c) => (EXHAUSTIVE_CHECKS as readonly string[]).includes(c.name));
  const maxPreemptions = o.maxPreemptions === undefined ? DEFAULT_EXHAUSTIVE.maxPreemptions : o.maxPreemptions;
  const bounds: ExhaustiveBounds = {
    maxSteps: o.maxSteps ?? DEFAULT_EXHAUSTIVE.maxSteps,
    maxPreemptions,
    hashing: o.hashing ?? true,
    // Sleep sets lose states under a preemption bound (sleepSets): the report then says off.
    por: sleepSets({ por: o.por ?? true, maxPreemptions }),
    snapshots: o.snapshots ?? true,
    ...(o.checkDigests === true ? { checkDigests: true } : {}),
  };
  const timeSeconds = o.timeSeconds ?? DEFAULT_EXHAUSTIVE.timeSeconds;
  const now = o.now ?? (() => performance.now());
  const start = now();
  const transitions = new Set<string>();
  const result = exhaustiveSearch(
    {
      run: (control, maxSteps, from) => {
        const options = { seed: 0, fixes, mutants, ...unit, maxSteps, policy: control, observer: control };
        const run = from === undefined ? runScenarioOnSim(o.scenario, options) : resumeScenarioOnSim(from, options);
        const view = simRunView(run, o.scenario);
        for (const t of transitionsOf(view.trace)) transitions.add(t);
        return { reason: run.result.reason, steps: run.result.steps, choices: run.sim.choices, findings: checks.flatMap((c) => c.check(view)) };
      },
      monitor: (world: World) => handshakeMonitor(world.trace.events),
    },
    bounds,
    () => now() - start >= timeSeconds * 1000,
  );
  return { ...result, bounds: { ...bounds, timeSeconds }, checks: checks.map((c) => c.name), transitions: transitions.size, wallMs: now() - start };
}
