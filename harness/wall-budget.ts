// Wall-clock budgets: each run has one of its own (--run-time), and an exploration on a time
// budget (--time) ends the run in progress when its time is up, instead of waiting for it.
// Both reach a run as the simulator's deadline (sim/sim-options.ts SimOptions.deadline), which it asks
// every few steps. A run cut by the clock is not a function of its seed: it is never judged by
// the checks; one cut by its own budget is counted and reported as such, one cut by the
// exploration's end is not a run made at all.

/** Default wall-clock budget of one run, in seconds (a run of a shipped scenario takes ms). */
export const DEFAULT_RUN_SECONDS = 60;

/** The clock an exploration runs by, and when it ends (in that clock's ms), or null. */
export interface ExplorationClock {
  now: () => number;
  endsAt: number | null;
}

/** No exploration end, performance.now: a run is bounded by its own budget only. */
export const UNBOUNDED: ExplorationClock = { now: () => performance.now(), endsAt: null };

/** Thrown out of a run (or the reruns that attribute its failures) that the clock cut. */
export class OverBudget extends Error {
  /** True when the exploration's end cut it, false when the run's own budget did. */
  readonly byExploration: boolean;
  constructor(byExploration: boolean, runSeconds: number) {
    super(
      byExploration
        ? "the exploration's time was up before the run ended"
        : `the run went past its wall-clock budget of ${runSeconds} s; a run cut by the clock is not deterministic, so it has no verdict (--run-time SECONDS allows more)`,
    );
    this.byExploration = byExploration;
  }
}

export interface RunBudget {
  /** The simulator's deadline. */
  deadline: () => boolean;
  /** Returns a run's result unless the deadline cut it; then throws OverBudget. */
  guard<R extends { result: { reason: string } }>(run: R): R;
}

/** The budget of one run that starts now and may take `runSeconds`, within the exploration's end. */
export function runBudget(clock: ExplorationClock, runSeconds: number): RunBudget {
  const ownEnd = clock.now() + runSeconds * 1000;
  const end = clock.endsAt === null ? ownEnd : Math.min(ownEnd, clock.endsAt);
  return {
    deadline: () => clock.now() >= end,
    guard(run) {
      if (run.result.reason !== "budget") return run;
      throw new OverBudget(clock.endsAt !== null && clock.now() >= clock.endsAt, runSeconds);
    },
  };
}
