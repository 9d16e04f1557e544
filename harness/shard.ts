// Shards: how several runners (a CI matrix) share one exploration without running a seed twice.
//
// An exploration numbers its runs 0, 1, 2, ... (run k has seed runSeed(base, k) and scenario
// k mod #scenarios). Shard i/n takes the runs whose number k has k mod n == i-1: strided rather
// than contiguous blocks, so a shard needs no run budget to know its runs (it works with --time
// too) and every shard gets every scenario. Within a shard, runs are made in order, so the runs
// a shard made are always its first `runs` ones; merging shards 1/n..n/n of a --runs N
// exploration makes exactly the runs 0..N-1 of the unsharded one.

import { UsageError } from "./model-options.ts";

export interface Shard {
  /** 1-based, 1 <= index <= count. */
  index: number;
  count: number;
}

export const WHOLE: Shard = { index: 1, count: 1 };

/** Parses "i/n" as written after --shard. */
export function parseShard(text: string, what = "--shard"): Shard {
  const m = /^(\d+)\/(\d+)$/.exec(text.trim());
  const index = m === null ? NaN : Number(m[1]);
  const count = m === null ? NaN : Number(m[2]);
  if (!(Number.isSafeInteger(index) && Number.isSafeInteger(count) && index >= 1 && index <= count)) {
    throw new UsageError(`${what} must be i/n with 1 <= i <= n (e.g. 2/4), got "${text}"`);
  }
  return { index, count };
}

export function shardName(s: Shard): string {
  return `${s.index}/${s.count}`;
}

/** The exploration-wide number of the shard's j-th run (j from 0). */
export function runNumber(s: Shard, j: number): number {
  return s.index - 1 + s.count * j;
}

/** How many of the runs 0..budget-1 belong to the shard. */
export function runsInShard(s: Shard, budget: number): number {
  return Math.max(0, Math.ceil((budget - (s.index - 1)) / s.count));
}
