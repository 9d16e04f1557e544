// explore (on the simulated kernel, random, swarm or PCT runs) and merge: the summary on
// stdout, the result as JSON with --json, and the exit code by which failures are new.

import { listScenarios } from "../catalog/shipped-scenarios.ts";
import { exploreUntilAborted } from "../harness/explore.ts";
import { DEFAULT_BASE_SEED, type ExploreOptions } from "../harness/explore-plan.ts";
import type { ExploreResult } from "../harness/explore-result.ts";
import { modelOptionsFor, UsageError } from "../harness/model-options.ts";
import { mergeResults, readResultFile } from "../harness/result-file.ts";
import type { DistinctFailure } from "../harness/tally.ts";
import { exploreOnWorkers } from "../harness/workers.ts";
import { GENERATED, generatedScenario, mixedSlots, writeGeneratedScenario, type ScenarioSlot } from "../harness/generated.ts";
import {
  parseFaults,
  parsePositiveInt,
  parseRunStrategy,
  parseSeconds,
  parseSeed,
  parseShard,
  parseWorkers,
  resolveScenario,
  limitArgs,
  type LimitFlags,
} from "./args.ts";
import { exhaustiveCommand, type ExhaustiveFlags } from "./exhaustive.ts";
import { INTERRUPTED, watchInterrupts } from "./interrupt.ts";
import { checkOutputFile, writeOutputFile } from "./output-file.ts";
import { progressReporter } from "./progress.ts";
import { exploreRealCommand, rejectSimOnly, type Backend } from "./real-commands.ts";
import { DEFAULT_SHRINK_SECONDS, shrinkNewFailures, type ShrinkNote } from "./explore-shrink.ts";
import { writeSummaryMarkdown } from "./summary-md.ts";
import { exploreSummary, scenarioSeed } from "./report.ts";

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
  /** --generate: every run's scenario drawn from its seed. */
  generate?: boolean;
  /** --mix: the scenarios interleaved with generated ones (half the runs). */
  mix?: boolean;
  failOn: FailOn;
  /** --shrink [seconds]: true, or the seconds each new failure may take to shrink. */
  shrink?: boolean | string;
  summaryMd?: string;
}

function shrinkSeconds(flag: boolean | string | undefined): number | null {
  if (flag === undefined || flag === false) return null;
  return flag === true ? DEFAULT_SHRINK_SECONDS : parseSeconds(flag, "--shrink");
}

function exitFor(distinct: readonly DistinctFailure[], failOn: FailOn): number {
  const failing = failOn === "any" ? distinct : distinct.filter((d) => d.cause === null);
  return failing.length > 0 ? 1 : 0;
}

function writeJson(file: string, value: unknown): void {
  writeOutputFile("--json", file, JSON.stringify(value, null, 2) + "\n");
}

/** The exploration's round-robin: the scenarios named (default: the shipped ones), generated ones as --generate and --mix say. */
interface Slot {
  scenario: ScenarioSlot;
  ref: string;
}

const GENERATED_SLOT: Slot = { scenario: GENERATED, ref: GENERATED };

function exploreSlots(args: string[], flags: ExploreFlags): Slot[] {
  if (flags.generate === true && (flags.mix === true || args.length > 0)) throw new UsageError("--generate makes every run generated: it takes no scenario and no --mix (name \"generated\" among scenarios instead)");
  if (flags.generate === true) return [GENERATED_SLOT];
  const named: Slot[] = args.length === 0 ? listScenarios().map((s) => ({ scenario: s, ref: s.name })) : args.map((a) => (a === GENERATED ? GENERATED_SLOT : resolveScenario(a, flags.limit, undefined, flags.unit)));
  return flags.mix === true ? mixedSlots(named).map((s) => (s === GENERATED ? GENERATED_SLOT : s)) : named;
}

export async function exploreCommand(args: string[], flags: ExploreFlags, io: Io): Promise<number> {
  if (flags.backend === "real") {
    rejectSimOnly("explore", { "--generate": flags.generate, "--mix": flags.mix, "--shrink": flags.shrink, "--summary-md": flags.summaryMd, "--seed": flags.seed, "--faults": flags.faults, "--max-steps": flags.maxSteps, "--workers": flags.workers, "--shard": flags.shard, "--strategy": flags.strategy, "--preemptions": flags.preemptions });
    return exploreRealCommand(args, flags, listScenarios, io);
  }
  if (flags.strategy === "exhaustive") {
    if (flags.shrink !== undefined || flags.summaryMd !== undefined) throw new UsageError("--strategy exhaustive takes no --shrink or --summary-md (its counterexample is a repro already)");
    return exhaustiveCommand(args, flags, io);
  }
  const shrink = shrinkSeconds(flags.shrink);
  if (flags.preemptions !== undefined) throw new UsageError("--preemptions applies to --strategy exhaustive only");
  const strategy = parseRunStrategy(flags, "explore");
  // Its corpus of world copies lives in one thread and grows with the runs before, in order.
  if (strategy.name === "branch" && (flags.workers !== undefined || flags.shard !== undefined)) throw new UsageError("--strategy branch runs in the main thread only: no --workers or --shard");
  // Both re-make a failure's run from its seed, which does not make a branched run.
  if (strategy.name === "branch" && (flags.shrink !== undefined || flags.summaryMd !== undefined)) throw new UsageError("--strategy branch takes no --shrink or --summary-md (a branched failure's replay line is its repro already)");
  const resolved = exploreSlots(args, flags);
  const runs = flags.runs === undefined ? undefined : parsePositiveInt(flags.runs, "--runs");
  const timeSeconds = flags.time === undefined ? undefined : parseSeconds(flags.time, "--time");
  const runSeconds = flags.runTime === undefined ? undefined : parseSeconds(flags.runTime, "--run-time");
  const seed = flags.seed === undefined ? DEFAULT_BASE_SEED : parseSeed(flags.seed, "--seed");
  const faults = flags.faults === undefined ? undefined : parseFaults(flags.faults);
  const maxSteps = flags.maxSteps === undefined ? undefined : parsePositiveInt(flags.maxSteps, "--max-steps");
  const fixes = flags.fix ?? [];
  const mutants = flags.mutant ?? [];
  const workers = flags.workers === undefined ? null : parseWorkers(flags.workers);
  const shard = flags.shard === undefined ? undefined : parseShard(flags.shard);
  const unit = flags.unit === undefined ? {} : { unit: flags.unit };
  for (const r of resolved) modelOptionsFor(r.scenario === GENERATED ? generatedScenario(0) : r.scenario, { fixes, mutants, ...unit });
  // A --json file that cannot be written is found out before the work, not after it.
  if (flags.json !== undefined) checkOutputFile("--json", flags.json);
  if (flags.summaryMd !== undefined) checkOutputFile("--summary-md", flags.summaryMd);

  const progress = flags.progress ? progressReporter() : null;
  const options: ExploreOptions = {
    scenarios: resolved.map((r) => r.scenario),
    refs: resolved.map((r) => r.ref),
    seed,
    strategy,
    fixes,
    mutants,
    ...unit,
    ...(runs === undefined ? {} : { runs }),
    ...(timeSeconds === undefined ? {} : { timeSeconds }),
    ...(runSeconds === undefined ? {} : { runSeconds }),
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
    await reportResult(result, { ...flags, shrink }, io, interrupts.signal);
    if (result.stoppedBy !== "interrupted" && !interrupts.signal.aborted) return exitFor(result.distinct, flags.failOn);
    io.err(`nxtsim: interrupted (${interrupts.received()}) after ${result.runs} runs; the summary${flags.json === undefined ? "" : " and the --json file"} cover them\n`);
    return INTERRUPTED;
  } finally {
    interrupts.dispose();
  }
}

/** How explore and merge report a result, besides the exit code. */
interface ReportFlags extends LimitFlags {
  json?: string;
  summaryMd?: string;
  /** Seconds per new failure to shrink it, or null: no shrinking. */
  shrink: number | null;
  progress?: boolean;
}

/**
 * Shrinks the new failures (unless interrupted), prints the summary, writes --json and
 * --summary-md. Returns the shrink notes.
 */
async function reportResult(result: ExploreResult, flags: ReportFlags, io: Io, signal: AbortSignal, mergedFrom?: number): Promise<ReadonlyMap<DistinctFailure, ShrinkNote> | undefined> {
  const shrunk =
    flags.shrink === null || result.stoppedBy === "interrupted"
      ? undefined
      : await shrinkNewFailures(result, flags.shrink, signal, (d, note) => {
          if (flags.progress !== false) io.err(`shrink: ${d.check} on ${d.scenario}: ${note.replay ?? note.detail}\n`);
        }, limitArgs(flags.limit));
  // A new failure of a generated run gets its scenario as a file (the summary names it).
  for (const d of result.distinct) if (d.cause === null && d.scenario === GENERATED) writeGeneratedScenario(scenarioSeed(d));
  io.out(exploreSummary(result, mergedFrom, shrunk));
  if (flags.json !== undefined) writeJson(flags.json, result);
  if (flags.summaryMd !== undefined) writeSummaryMarkdown(flags.summaryMd, result, shrunk, flags.limit);
  return shrunk;
}

/** merge: one result (and summary) from the result files of the shards of one exploration. */
export async function mergeCommand(files: string[], flags: MergeFlags, io: Io): Promise<number> {
  const shrink = shrinkSeconds(flags.shrink);
  for (const [flag, file] of [["--json", flags.json], ["--summary-md", flags.summaryMd]] as const) if (file !== undefined) checkOutputFile(flag, file);
  const merged = mergeResults(files.map((file) => ({ file, result: readResultFile(file) })));
  const interrupts = watchInterrupts();
  try {
    await reportResult(merged, { ...flags, shrink }, io, interrupts.signal, files.length);
    return interrupts.signal.aborted ? INTERRUPTED : exitFor(merged.distinct, flags.failOn);
  } finally {
    interrupts.dispose();
  }
}

export interface MergeFlags extends LimitFlags {
  json?: string;
  summaryMd?: string;
  shrink?: boolean | string;
  failOn: FailOn;
}
