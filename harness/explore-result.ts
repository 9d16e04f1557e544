// An exploration's result: its tally with the spec and shards it counts, as explore returns
// it and --json writes it; and its progress while under way.

import { runNumber, type Shard } from "./shard.ts";
import type { Tally } from "./tally.ts";
import type { ExploreProgress, ExploreSpec, PreparedExploration } from "./explore-plan.ts";

/** The format tag of explore's --json result files (and of merge's); /2 added the strategy and transitions. */
export const RESULT_FORMAT = "nxtsim-result/3";

/** The runs a shard made: its first `runs` ones, numbered first, first+count, ..., last. */
export interface ShardRuns {
  index: number;
  count: number;
  runs: number;
  first: number | null;
  last: number | null;
}

/** An exploration's result, as explore returns it and --json writes it (format nxtsim-result/2). */
export interface ExploreResult extends Tally {
  format: typeof RESULT_FORMAT;
  spec: ExploreSpec;
  /** The shards whose runs are counted (one for an explore; several after merge). */
  shards: ShardRuns[];
  /**
   * What ended the exploration: its run budget, its time budget ("time" when any shard stopped
   * on it), or a signal (Ctrl-C: "interrupted" when any shard was; the runs made so far count).
   */
  stoppedBy: "runs" | "time" | "interrupted";
  /** Not a function of the runs: left out when results are compared. */
  timing: {
    /** Wall time; for merged results the sum over the shards (one runner doing all the work). */
    wallMs: number;
    /** Worker threads (0: the main thread ran everything). */
    workers: number;
  };
}

export function shardRuns(shard: Shard, runs: number): ShardRuns {
  return {
    index: shard.index,
    count: shard.count,
    runs,
    first: runs === 0 ? null : runNumber(shard, 0),
    last: runs === 0 ? null : runNumber(shard, runs - 1),
  };
}

export function progressOf(p: PreparedExploration, tally: Tally, elapsedMs: number): ExploreProgress {
  return {
    runs: tally.runs,
    runsLimit: p.runsLimit,
    elapsedMs,
    timeLimitMs: p.timeLimitMs,
    events: tally.events,
    failedRuns: tally.failedRuns,
    distinctFailures: tally.distinct.length,
  };
}

export function resultOf(
  p: PreparedExploration,
  tally: Tally,
  stoppedBy: ExploreResult["stoppedBy"],
  timing: ExploreResult["timing"],
): ExploreResult {
  return { format: RESULT_FORMAT, spec: p.spec, shards: [shardRuns(p.plan.shard, tally.runs)], stoppedBy, ...tally, timing };
}
