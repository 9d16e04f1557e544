// explore (on the simulated kernel, random, swarm or PCT runs) and merge: the summary on
// stdout, the result as JSON with --json, and the exit code by which failures are new.

import { listScenarios } from "../fixtures/scenario.ts";
import { DEFAULT_BASE_SEED, exploreUntilAborted, type ExploreOptions } from "../harness/explore.ts";
import { modelOptionsFor, UsageError } from "../harness/model-options.ts";
import { mergeResults, readResultFile } from "../harness/result-file.ts";
import type { DistinctFailure } from "../harness/tally.ts";
import { exploreOnWorkers } from "../harness/workers.ts";
import {
  parseFaults,
  parsePositiveInt,
  parseRunStrategy,
  parseSeconds,
  parseSeed,
  parseShard,
  parseWorkers,
  resolveScenario,
} from "./args.ts";
import { exhaustiveCommand, type ExhaustiveFlags } from "./exhaustive.ts";
import { INTERRUPTED, watchInterrupts } from "./interrupt.ts";
import { checkOutputFile, writeOutputFile } from "./output-file.ts";
import { progressReporter } from "./progress.ts";
import { exploreRealCommand, rejectSimOnly, type Backend } from "./real-commands.ts";
import { exploreSummary } from "./report.ts";

interface Io {
  out: (text: string) => void;
  err: (text: string) => void;
}

/** Which failures make explore and merge exit 1: only new ones (the default), or any. */
export type FailOn = "new" | "any";

/** explore's flags: everything the exhaustive search also reads, plus these. */
export interface ExploreFlags extends ExhaustiveFlags {
  progress: boolean;
  backend: Backend;
  failOn: FailOn;
}

function exitFor(distinct: readonly DistinctFailure[], failOn: FailOn): number {
  const failing = failOn === "any" ? distinct : distinct.filter((d) => d.cause === null);
  return failing.length > 0 ? 1 : 0;
}

function writeJson(file: string, value: unknown): void {
  writeOutputFile("--json", file, JSON.stringify(value, null, 2) + "\n");
}

export async function exploreCommand(args: string[], flags: ExploreFlags, io: Io): Promise<number> {
  if (flags.backend === "real") {
    rejectSimOnly("explore", { "--seed": flags.seed, "--faults": flags.faults, "--max-steps": flags.maxSteps, "--json": flags.json, "--workers": flags.workers, "--shard": flags.shard, "--strategy": flags.strategy, "--preemptions": flags.preemptions });
    return exploreRealCommand(args, flags, listScenarios, io);
  }
  if (flags.strategy === "exhaustive") return exhaustiveCommand(args, flags, io);
  if (flags.preemptions !== undefined) throw new UsageError("--preemptions applies to --strategy exhaustive only");
  const strategy = parseRunStrategy(flags, "explore");
  const resolved = args.length === 0 ? listScenarios().map((s) => ({ scenario: s, ref: s.name })) : args.map(resolveScenario);
  const runs = flags.runs === undefined ? undefined : parsePositiveInt(flags.runs, "--runs");
  const timeSeconds = flags.time === undefined ? undefined : parseSeconds(flags.time, "--time");
  const seed = flags.seed === undefined ? DEFAULT_BASE_SEED : parseSeed(flags.seed, "--seed");
  const faults = flags.faults === undefined ? undefined : parseFaults(flags.faults);
  const maxSteps = flags.maxSteps === undefined ? undefined : parsePositiveInt(flags.maxSteps, "--max-steps");
  const fixes = flags.fix ?? [];
  const mutants = flags.mutant ?? [];
  const workers = flags.workers === undefined ? null : parseWorkers(flags.workers);
  const shard = flags.shard === undefined ? undefined : parseShard(flags.shard);
  for (const r of resolved) modelOptionsFor(r.scenario, { fixes, mutants });
  // A --json file that cannot be written is found out before the work, not after it.
  if (flags.json !== undefined) checkOutputFile("--json", flags.json);

  const progress = flags.progress ? progressReporter() : null;
  const options: ExploreOptions = {
    scenarios: resolved.map((r) => r.scenario),
    refs: resolved.map((r) => r.ref),
    seed,
    strategy,
    fixes,
    mutants,
    ...(runs === undefined ? {} : { runs }),
    ...(timeSeconds === undefined ? {} : { timeSeconds }),
    ...(faults === undefined ? {} : { faults }),
    ...(maxSteps === undefined ? {} : { maxSteps }),
    ...(shard === undefined ? {} : { shard }),
    ...(progress === null ? {} : { onProgress: (p) => progress.update(p) }),
  };
  // Ctrl-C or SIGTERM stops the runs; what they found is reported and written as usual. The
  // signals stay caught until the file is written, so none kills the process halfway.
  const interrupts = watchInterrupts();
  try {
    let result;
    try {
      result = workers === null ? await exploreUntilAborted(options, interrupts.signal) : await exploreOnWorkers(options, workers, interrupts.signal);
    } finally {
      progress?.stop();
    }
    io.out(exploreSummary(result));
    if (flags.json !== undefined) writeJson(flags.json, result);
    if (result.stoppedBy !== "interrupted") return exitFor(result.distinct, flags.failOn);
    io.err(`nxtsim: interrupted (${interrupts.received()}) after ${result.runs} runs; the summary${flags.json === undefined ? "" : " and the --json file"} cover them\n`);
    return INTERRUPTED;
  } finally {
    interrupts.dispose();
  }
}

/** merge: one result (and summary) from the result files of the shards of one exploration. */
export function mergeCommand(files: string[], flags: { json?: string; failOn: FailOn }, io: Io): number {
  const merged = mergeResults(files.map((file) => ({ file, result: readResultFile(file) })));
  io.out(exploreSummary(merged, files.length));
  if (flags.json !== undefined) writeJson(flags.json, merged);
  return exitFor(merged.distinct, flags.failOn);
}
