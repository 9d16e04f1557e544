// explore --shrink: each new distinct failure, once explore has found it, shrunk by
// `nxtsim shrink` in a child process with a time limit (a shrink that does not finish in time
// is stopped and said so; the failure's own replay line still stands).

import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";

import type { ExploreResult } from "../harness/explore-result.ts";
import { faultsArgument } from "../harness/replay-command.ts";
import type { DistinctFailure } from "../harness/tally.ts";
import { strategyFlags } from "../sim/strategies/index.ts";

/** Seconds each failure may take to shrink, unless --shrink says. */
export const DEFAULT_SHRINK_SECONDS = 60;

const BIN = fileURLToPath(new URL("../bin/nxtsim.js", import.meta.url));

/** What became of one failure's shrinking: its repro's replay line and what was removed, or why not. */
export interface ShrinkNote {
  /** `npx nxtsim replay --repro FILE`, or null when it was not shrunk. */
  replay: string | null;
  /** "removed: ..." or the reason it was not shrunk. */
  detail: string;
}

/** The arguments of `nxtsim shrink` for a failure explore found (the run as replay makes it). */
export function shrinkArgs(d: DistinctFailure, spec: ExploreResult["spec"]): string[] {
  const faults = faultsArgument(d.faults);
  return [
    "shrink",
    String(d.seed),
    "--scenario",
    d.scenario,
    ...(faults === null ? [] : ["--faults", faults]),
    ...strategyFlags(spec.strategy),
    ...spec.fixes.flatMap((f) => ["--fix", f]),
    ...spec.mutants.flatMap((m) => ["--mutant", m]),
    ...(spec.unit === undefined ? [] : ["--unit", spec.unit]),
    "--check",
    d.check,
  ];
}

/** The note from shrink's output: its replay line, and the items under "removed:". */
export function noteOf(stdout: string): ShrinkNote | null {
  const replay = /^replay: (npx nxtsim replay --repro \S+)$/m.exec(stdout)?.[1];
  if (replay === undefined) return null;
  const removed = [...stdout.matchAll(/^ {2}- (.*)$/gm)].map((m) => m[1]!);
  return { replay, detail: removed.length === 0 ? "nothing removed (the run was minimal)" : `removed: ${removed.join("; ")}` };
}

function shrinkOne(args: string[], seconds: number, signal: AbortSignal): Promise<ShrinkNote> {
  return new Promise((done) => {
    execFile(process.execPath, [BIN, ...args], { timeout: seconds * 1000, killSignal: "SIGKILL", signal, maxBuffer: 64 << 20 }, (error, stdout, stderr) => {
      const note = noteOf(stdout);
      if (note !== null) return done(note);
      const why = signal.aborted
        ? "interrupted"
        : error !== null && (error as { killed?: boolean }).killed
          ? `did not finish within ${seconds} s (--shrink SECONDS allows more)`
          : stderr.trim().split("\n")[0] || "shrink printed no repro";
      done({ replay: null, detail: `not shrunk: ${why}` });
    });
  });
}

/**
 * Shrinks the new failures (no known fix removes them), one at a time, each within `seconds`;
 * stops at an interrupt. --max-steps runs are left as they are (shrink makes runs of the
 * default budget).
 */
export async function shrinkNewFailures(result: ExploreResult, seconds: number, signal: AbortSignal, onEach?: (d: DistinctFailure, n: ShrinkNote) => void, extraArgs: readonly string[] = []): Promise<Map<DistinctFailure, ShrinkNote>> {
  const notes = new Map<DistinctFailure, ShrinkNote>();
  // Failures of one run and check shrink alike (shrink keeps the check, not the reason): once.
  const byArgs = new Map<string, ShrinkNote>();
  for (const d of result.distinct) {
    if (d.cause !== null || signal.aborted) continue;
    const args = [...shrinkArgs(d, result.spec), ...extraArgs];
    const key = args.join("\u0000");
    const note =
      result.spec.maxSteps !== null
        ? { replay: null, detail: "not shrunk: shrink makes runs of the default step budget, this one had --max-steps" }
        : (byArgs.get(key) ?? (await shrinkOne(args, seconds, signal)));
    byArgs.set(key, note);
    notes.set(d, note);
    onEach?.(d, note);
  }
  return notes;
}
