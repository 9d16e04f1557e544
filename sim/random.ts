// The run's only source of randomness, and the record of every decision it made.
//
// Every decision of a run (which event runs next, whether a fault fires, which process a
// fault kills) is an integer choice in [0, n). The sequence of choices is the run's
// schedule: replaying it reproduces the run without the PRNG, and a shrinker can edit it
// (faults are encoded so that 0 means "no fault"; scheduling choices shrink toward 0).

/** xoshiro128** over 32-bit integers, seeded through splitmix32 from a string hash. */
export class Prng {
  private s0: number;
  private s1: number;
  private s2: number;
  private s3: number;

  constructor(seed: string | number) {
    this.s0 = this.s1 = this.s2 = this.s3 = 0;
    this.reseed(seed);
  }

  /** Starts again from `seed` (a run branched from a world copy draws fresh choices: harness/explore-branch.ts). */
  reseed(seed: string | number): void {
    let x = hashSeed(String(seed));
    const next = (): number => {
      // splitmix32: spreads one 32-bit seed into four well-mixed state words.
      x = (x + 0x9e3779b9) | 0;
      let z = x;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
      return (z ^ (z >>> 16)) >>> 0;
    };
    this.s0 = next();
    this.s1 = next();
    this.s2 = next();
    this.s3 = next();
    if ((this.s0 | this.s1 | this.s2 | this.s3) === 0) this.s0 = 1; // all-zero state is a fixed point
  }

  /** Next unsigned 32-bit integer. */
  nextU32(): number {
    const result = Math.imul(rotl(Math.imul(this.s1, 5), 7), 9) >>> 0;
    const t = this.s1 << 9;
    this.s2 ^= this.s0;
    this.s3 ^= this.s1;
    this.s1 ^= this.s2;
    this.s0 ^= this.s3;
    this.s2 ^= t;
    this.s3 = rotl(this.s3, 11);
    return result;
  }

  /** Uniform float in [0, 1). */
  nextFloat(): number {
    return this.nextU32() / 4294967296;
  }

  /** Integer in [0, n) (n >= 1). */
  below(n: number): number {
    return Math.floor(this.nextFloat() * n);
  }
}

function rotl(x: number, k: number): number {
  return ((x << k) | (x >>> (32 - k))) | 0;
}

/** FNV-1a over UTF-16 code units: a stable 32-bit digest of the seed text. */
function hashSeed(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/**
 * How a scheduling decision is made. `keys` name the alternatives (for the scheduler,
 * "<host pid>:<event kind>") so that smarter strategies (PCT, process priorities) can be
 * added without touching the run loop.
 */
export interface ChoicePolicy {
  choose(n: number, label: string, rng: Prng, keys?: readonly string[]): number;
}

export const uniformPolicy: ChoicePolicy = {
  choose: (n, _label, rng) => rng.below(n),
};

export interface ChooserOptions {
  seed: string | number;
  replay?: readonly number[] | undefined;
  policy?: ChoicePolicy | undefined;
}

/** How a fault decision that happened is recorded in a schedule (the largest 16-bit value). */
export const FAULT_YES = 0xffff;

export class Chooser {
  readonly rng: Prng;
  private readonly policy: ChoicePolicy;
  private readonly replay: readonly number[] | undefined;
  private replayAt = 0;
  /** Every choice made, in order: the run's schedule. */
  readonly choices: number[] = [];

  constructor(options: ChooserOptions) {
    this.rng = new Prng(options.seed);
    this.policy = options.policy ?? uniformPolicy;
    this.replay = options.replay;
  }

  /** Whether choose() reads event keys: a replay and the uniform policy never do. */
  get wantsKeys(): boolean {
    return this.replay === undefined && this.policy !== uniformPolicy;
  }

  /**
   * An integer in [0, n). A choice among fewer than two alternatives is no decision and is
   * not recorded, so schedules only hold real branching points.
   */
  choose(n: number, label: string, keys?: readonly string[]): number {
    if (n <= 1) return 0;
    let value: number;
    if (this.replay !== undefined) {
      value = this.fromReplay() % n;
    } else {
      value = this.policy.choose(n, label, this.rng, keys);
      if (!Number.isInteger(value) || value < 0 || value >= n) {
        throw new Error(`choice policy returned ${value} for a choice among ${n} (${label})`);
      }
    }
    this.choices.push(value);
    return value;
  }

  /**
   * A fault decision with probability p, recorded as FAULT_YES or 0. A replayed value v in
   * [0, 65535] is a fault when v >= 65536 * (1 - p): so a recorded FAULT_YES always is, 0 never
   * is, and a uniformly random 16-bit schedule (a generated one) faults with probability p.
   * Shrinking a value toward 0 therefore switches the fault off.
   */
  fault(p: number): boolean {
    if (!(p > 0)) return false; // rate 0: no decision point, nothing recorded
    let yes: boolean;
    if (this.replay !== undefined) yes = (this.fromReplay() & 0xffff) >= Math.ceil(65536 * (1 - p));
    else yes = this.rng.nextFloat() < p;
    this.choices.push(yes ? FAULT_YES : 0);
    return yes;
  }

  private fromReplay(): number {
    const replay = this.replay ?? [];
    const recorded = this.replayAt < replay.length ? replay[this.replayAt] : 0;
    this.replayAt++;
    const v = Math.trunc(Number(recorded ?? 0));
    return Number.isFinite(v) && v >= 0 ? v : 0;
  }
}
