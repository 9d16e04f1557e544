// Every outcome the simulated kernel gives a litmus test: its exhaustive search
// (sim/strategies/exhaustive.ts) over all fault-free schedules, collecting the outcome of
// every run that ends.
//
// Why the reductions lose no outcome:
// - State hashing cuts a run at a state (world digest + monitor) explored before with at
//   least as much budget left. The monitor is what every process has logged so far, by role:
//   an outcome is a function of those logs alone, and what is logged from here on depends on
//   the world alone, so every completion of the cut run has the outcome of a completion
//   collected when that state was first explored.
// - Sleep sets skip an order of two independent events (of different processes, touching
//   disjoint parts of the world). Both orders give the same world and the same log of each
//   process; an outcome never depends on how two processes' logs interleave.
// No preemption bound: the set must be exact. Runs cut by the step budget are counted, and
// a complete search has none.

import type { Json } from "../../lifecycle/kernel.ts";
import { Sim } from "../../sim/index.ts";
import { exhaustiveSearch, type ExhaustiveStats } from "../../sim/strategies/exhaustive.ts";
import type { RunResult } from "../../sim/sim-options.ts";
import { cont } from "../sim/toy-program.ts";
import { outcomeKey, roleLogs, type Litmus } from "./litmus.ts";
import { litmusProgram } from "./suite.ts";

export interface SimOutcomeOptions {
  /** The old grain: each handler runs to its end in one step (SimOptions.atomicHandlers). */
  atomicHandlers?: boolean;
  /** Both on by default; off only to show that they lose nothing. */
  hashing?: boolean;
  por?: boolean;
  /** On by default; off to check that going on from copies of the world changes nothing. */
  snapshots?: boolean;
  maxSteps?: number;
}

export interface SimOutcomes {
  /** Outcome key (litmus.ts outcomeKey) -> the outcome. */
  outcomes: Map<string, Json>;
  /** Every schedule was explored. */
  complete: boolean;
  /** How the runs that were not cut ended (a sound result has only "quiescent"). */
  ends: Partial<Record<RunResult["reason"], number>>;
  stats: ExhaustiveStats;
}

export function simOutcomes(litmus: Litmus, options: SimOutcomeOptions = {}): SimOutcomes {
  const outcomes = new Map<string, Json>();
  const ends: SimOutcomes["ends"] = {};
  const result = exhaustiveSearch(
    {
      run: (control, maxSteps, from) => {
        const simOptions = { seed: 0, maxSteps, policy: control, observer: control, atomicHandlers: options.atomicHandlers ?? false };
        let sim: Sim;
        if (from !== undefined) sim = Sim.resumeAtChoice(from, simOptions);
        else {
          sim = new Sim(litmusProgram, simOptions);
          sim.spawn({ role: "R" }, cont(litmus.name), { uid: 0, gid: 0 });
        }
        const run = sim.run();
        if (run.reason !== "cut") ends[run.reason] = (ends[run.reason] ?? 0) + 1;
        if (run.reason === "quiescent") {
          const outcome = litmus.outcome(roleLogs(sim.trace));
          outcomes.set(outcomeKey(outcome), outcome);
        }
        return { reason: run.reason, steps: run.steps, choices: sim.choices, findings: [] };
      },
      monitor: (world) => outcomeKey(roleLogs(world.trace.events)),
    },
    { maxSteps: options.maxSteps ?? 400, maxPreemptions: null, hashing: options.hashing ?? true, por: options.por ?? true, snapshots: options.snapshots ?? true },
  );
  return { outcomes, complete: result.complete, ends, stats: result.stats };
}
