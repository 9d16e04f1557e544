// The seeds and fault rates of an exploration's runs: run k's seed comes from the base seed
// alone (runSeed), and, unless fixed rates are given, its fault rates from its own seed
// (faultRatesForSeed), through a small PRNG of the explorer's own.

import { noFaults, type FaultRates } from "../sim/index.ts";
import { swarmConfig, type RunStrategy } from "../sim/strategies/index.ts";
import { UsageError } from "./model-options.ts";

/** Largest seed accepted anywhere (seeds are exact integers). */
export const MAX_SEED = Number.MAX_SAFE_INTEGER;

/** The fault kinds a run draws rates for; sendLost (a lost message) only when asked with --faults. */
export const FAULT_NAMES = ["cloneFail", "sendFail", "killAtStep", "mapWriteFail"] as const;
/** Non-zero rates a run may draw for one fault kind. */
const FAULT_LEVELS = [0.002, 0.005, 0.01, 0.02] as const;

/** A small seeded PRNG (splitmix32) of the explorer's own, independent of the simulator's. */
export function splitmix32(seed: number): () => number {
  let x = seed | 0;
  return () => {
    x = (x + 0x9e3779b9) | 0;
    let z = x;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
    return (z ^ (z >>> 16)) >>> 0;
  };
}

/** Folds an exact integer (up to 2^53) into 32 bits, keeping both halves. */
function fold(n: number): number {
  const hi = Math.floor(n / 4294967296);
  return (Math.imul(hi, 0x27d4eb2f) ^ n) >>> 0;
}

/** The seed of run `index` (0-based) of an exploration with base seed `base`: a u32. */
export function runSeed(base: number, index: number): number {
  const next = splitmix32(fold(base) ^ Math.imul(index + 1, 0x6c8e9cf5));
  next();
  return (next() ^ fold(index)) >>> 0;
}

/**
 * The fault rates of a run, drawn from its seed: a quarter of the runs are fault-free; the
 * others give each fault kind, independently, either 0 (half the time) or a small rate.
 */
export function faultRatesForSeed(seed: number): FaultRates {
  const next = splitmix32(fold(seed) ^ 0x5fa17e5);
  const rates = noFaults();
  if (next() % 4 === 0) return rates;
  for (const name of FAULT_NAMES) {
    const r = next();
    rates[name] = r % 2 === 0 ? 0 : FAULT_LEVELS[(r >>> 1) % FAULT_LEVELS.length]!;
  }
  return rates;
}

/** A run's fault rates when none are fixed: swarm draws its own mix (sim/strategies/swarm.ts). */
export function drawnFaultRates(strategy: RunStrategy, seed: number): FaultRates {
  return strategy.name === "swarm" ? swarmConfig(seed).rates : faultRatesForSeed(seed);
}

/** Parses a seed written by a user: a non-negative decimal integer. */
export function parseSeed(text: string, what = "seed"): number {
  if (!/^\d+$/.test(text)) throw new UsageError(`${what} must be a non-negative integer, got "${text}"`);
  const n = Number(text);
  if (!Number.isSafeInteger(n) || n > MAX_SEED) throw new UsageError(`${what} must be at most ${MAX_SEED}, got ${text}`);
  return n;
}
