// A litmus test run many times on the real kernel in chaos mode (real/chaos.ts: every real
// process sleeps a random 0..chaosMaxUs µs at each scheduling point), counting the outcomes.

import { fileURLToPath } from "node:url";

import type { Json } from "../../lifecycle/kernel.ts";
import { processesOfRun } from "../../real/leftovers.ts";
import { runProgramOnReal } from "../../real/run-program.ts";
import { cont } from "../sim/toy-program.ts";
import { outcomeKey, roleLogs, type Litmus } from "./litmus.ts";

/** The bundle entry of every process of a litmus run. */
export const LITMUS_ENTRY = fileURLToPath(new URL("./real-entry.ts", import.meta.url));

/** Runs per litmus (NXTSIM_LITMUS_RUNS raises it), runs at once, and the chaos of a litmus that names none. */
export const REAL_RUNS = Number(process.env["NXTSIM_LITMUS_RUNS"] ?? 20);
export const PARALLEL_RUNS = 2;
export const DEFAULT_CHAOS_US = 5000;
/**
 * A litmus run ends when all its processes have exited; "settled" (quiet this long, all
 * asleep) is only the fallback. On a loaded machine a Node process can take hundreds of ms to
 * exit, and a short window could end a run whose other processes had not yet been woken by
 * that exit.
 */
const IDLE_MS = 1000;

export interface RealOutcomes {
  /** Outcome key -> how many runs ended so. */
  counts: Map<string, number>;
  /** Runs that timed out, or whose outcome could not be read (the error), or that left a process behind. */
  failures: string[];
  wallMs: number;
}

/** One run: its outcome's key, or a failure. */
async function runOnce(litmus: Litmus): Promise<{ key: string } | { failure: string }> {
  const run = await runProgramOnReal({ entryFile: LITMUS_ENTRY, image: { role: "R" }, entry: cont(litmus.name), chaosMaxUs: litmus.chaosMaxUs ?? DEFAULT_CHAOS_US, idleMs: IDLE_MS });
  const left = processesOfRun(run.runId);
  // "settled" is fine: everything exited, but the run's init had not yet when it went quiet.
  if (run.reason === "timeout") return { failure: `run ${run.runId} timed out` };
  if (left.length > 0) return { failure: `run ${run.runId} left processes ${left.join(", ")}` };
  try {
    return { key: outcomeKey(litmus.outcome(roleLogs(run.trace)) as Json) };
  } catch (err) {
    return { failure: `run ${run.runId}: ${(err as Error).message}` };
  }
}

export async function realOutcomes(litmus: Litmus, runs = REAL_RUNS): Promise<RealOutcomes> {
  const start = performance.now();
  const counts = new Map<string, number>();
  const failures: string[] = [];
  for (let done = 0; done < runs; done += PARALLEL_RUNS) {
    const batch = Array.from({ length: Math.min(PARALLEL_RUNS, runs - done) }, () => runOnce(litmus));
    for (const r of await Promise.all(batch)) {
      if ("failure" in r) failures.push(r.failure);
      else counts.set(r.key, (counts.get(r.key) ?? 0) + 1);
    }
  }
  return { counts, failures, wallMs: performance.now() - start };
}
