// Swarm testing (Groce et al., ISSTA 2012; TigerBeetle's VOPR draws its fault mix per seed):
// each run switches whole FEATURES off rather than tuning one mix for all runs, because a
// feature that is always on can mask the bug another one would reach.
//
// What uniform `random` exploration already does (harness/explore-seeds.ts faultRatesForSeed): a
// quarter of the runs are fault-free, and otherwise each of the four fault kinds is on with
// probability 1/2 at a rate from 0.002..0.02. What swarm adds:
// - fault kinds: the NUMBER of kinds on is uniform in 0..4 (so a run with exactly one kind,
//   or with all four, is as likely as any other count; random makes two kinds the most common),
//   and an enabled kind draws from a wider range (up to 0.05);
// - scheduling features: each event kind (harness action, queued work, signal, readable fd,
//   timer) is, with probability 1/2, starved for the whole run: it is picked with weight 1/16
//   against 1 for the others, so e.g. SIGCHLD handlers lag behind messages in one run and
//   messages lag behind signals in another. Uniform random never does this.
// The configuration is a function of the seed alone (replay: seed + `--strategy swarm`).

import { FAULT_KINDS, noFaults, type FaultRates } from "../faults.ts";
import { Prng, type ChoicePolicy } from "../random.ts";
import { kindOfKey } from "../scheduler.ts";

/** The fault kinds swarm switches (sendLost, which Linux never does, stays off as everywhere). */
export const SWARM_FAULT_KINDS = FAULT_KINDS.filter((k) => k !== "sendLost");
/** Rates an enabled fault kind may draw. */
const SWARM_LEVELS = [0.002, 0.005, 0.01, 0.02, 0.05] as const;
export const EVENT_KINDS = ["action", "work", "signal", "readable", "timer"] as const;
export type EventKind = (typeof EVENT_KINDS)[number];
/** A starved event kind's weight against 1 for the others. */
export const STARVED_WEIGHT = 1 / 16;

export interface SwarmConfig {
  /** Rates per fault kind; 0 for a kind that is off for the whole run. */
  rates: FaultRates;
  /** Event kinds the scheduler starves in this run. */
  starved: EventKind[];
}

export function swarmConfig(seed: string | number): SwarmConfig {
  const rng = new Prng(`swarm/${seed}`);
  const rates = noFaults();
  const kinds = [...SWARM_FAULT_KINDS];
  const on = rng.below(kinds.length + 1);
  for (let i = 0; i < on; i++) {
    const [kind] = kinds.splice(rng.below(kinds.length), 1);
    rates[kind!] = SWARM_LEVELS[rng.below(SWARM_LEVELS.length)]!;
  }
  const starved = EVENT_KINDS.filter(() => rng.below(2) === 1);
  return { rates, starved };
}

/** Weighted choice among the runnable events: starved kinds weigh STARVED_WEIGHT. */
export class SwarmPolicy implements ChoicePolicy {
  private readonly starved: ReadonlySet<string>;

  constructor(config: SwarmConfig) {
    this.starved = new Set(config.starved);
  }

  choose(n: number, label: string, rng: Prng, keys?: readonly string[]): number {
    if (label !== "step" || keys === undefined || keys.length !== n || this.starved.size === 0) return rng.below(n);
    const weights = keys.map((k) => (this.starved.has(kindOfKey(k)) ? STARVED_WEIGHT : 1));
    let x = rng.nextFloat() * weights.reduce((a, b) => a + b, 0);
    for (let i = 0; i < n; i++) {
      x -= weights[i]!;
      if (x < 0) return i;
    }
    return n - 1;
  }
}
