// PCT, probabilistic concurrency testing (Burckhardt et al., ASPLOS 2010): every process gets
// a random priority when it first shows up, the highest-priority runnable process always runs,
// and at d-1 random decision points (out of the first `steps`) the process about to run drops
// below every other. A bug that needs d ordering constraints among n processes within k steps
// is hit with probability at least 1/(n*k^(d-1)) per run, whatever the bug.
//
// The policy only picks among the runnable events; the Chooser records the index it picked,
// so a PCT run replays from its schedule like any other (and shrinks like any other). From
// seed + depth + steps it is also reproduced exactly: the policy draws from its own PRNG.
//
// Departures from the paper, each for this simulator: a process may have several runnable
// events (signal, fds, timers), and one of them is picked at random; processes come and go,
// so a newcomer draws a fresh random priority above the change-point priorities; and after
// `steps` decisions the run goes on uniformly at random, so that a process that stays
// runnable (a retry timer) cannot starve the others until the step budget ends the run.

import { Prng, type ChoicePolicy } from "../random.ts";
import { processOfKey } from "../scheduler.ts";

export interface PctParams {
  /** d: the bug depth aimed at; d-1 priority change points. */
  depth: number;
  /** k: how many scheduling decisions the change points are spread over. */
  steps: number;
}

export const DEFAULT_PCT: PctParams = { depth: 3, steps: 50 };

export class PctPolicy implements ChoicePolicy {
  private readonly rng: Prng;
  private readonly priority = new Map<string, number>();
  /** Decision number (1-based) -> the low priority the process about to run drops to. */
  private readonly changeAt = new Map<number, number>();
  private decisions = 0;

  constructor(
    seed: string | number,
    private readonly params: PctParams,
  ) {
    this.rng = new Prng(`pct/${seed}`);
    // d-1 distinct decision numbers in 1..k; the i-th drawn gets priority d-i (all below d).
    const points = Math.min(params.depth - 1, params.steps);
    for (let i = 1; this.changeAt.size < points; ) {
      const at = 1 + this.rng.below(params.steps);
      if (!this.changeAt.has(at)) this.changeAt.set(at, params.depth - i++);
    }
  }

  choose(n: number, label: string, rng: Prng, keys?: readonly string[]): number {
    // Fault decisions (which errno, which victim) stay uniform: PCT orders events only.
    if (label !== "step" || keys === undefined || keys.length !== n) return rng.below(n);
    this.decisions++;
    if (this.decisions > this.params.steps) return this.rng.below(n);
    const procs = keys.map(processOfKey);
    for (const p of procs) {
      if (!this.priority.has(p)) this.priority.set(p, this.params.depth + this.rng.nextFloat());
    }
    let top = this.highest(procs);
    const low = this.changeAt.get(this.decisions);
    if (low !== undefined) {
      this.priority.set(top, low);
      top = this.highest(procs);
    }
    const mine = procs.flatMap((p, i) => (p === top ? [i] : []));
    return mine[this.rng.below(mine.length)]!;
  }

  private highest(procs: readonly string[]): string {
    let best = procs[0]!;
    for (const p of procs) if (this.priority.get(p)! > this.priority.get(best)!) best = p;
    return best;
  }
}
