// A program other than Unit's model on the real kernel (a test program run by a bundle entry
// of its own, real/process-entry.ts): its first process started as root in the run's own pid
// and mount namespace, run until everything exited or it settled, then torn down. The trace
// is normalised as a scenario run's is, with pids in the run's namespace.

import type { Continuation, Json } from "../lifecycle/kernel.ts";
import type { TraceEvent } from "../lifecycle/trace.ts";
import type { ConfinementReport } from "./confine.ts";
import { childProgram } from "./program.ts";
import type { CgroupLimits } from "./run-cgroup.ts";
import { RealRunSession, type RunEnd } from "./run-session.ts";

export interface ProgramRunOptions {
  /** The entry file (TypeScript) every process runs: it calls startRealProcess with the program. */
  entryFile: string;
  /** The first process's state and continuation. */
  image: Json;
  entry: Continuation;
  /** Its pid in the run's namespace (default 100, as the sim's first spawn). */
  firstPid?: number;
  chaosMaxUs?: number;
  idleMs?: number;
  timeoutMs?: number;
  onStart?: (runId: string) => void;
  /** Host namespaces, mounts writable (default false: confined, real/confine.ts). */
  unconfined?: boolean;
  /** The confined run's cgroup caps (default DEFAULT_CGROUP_LIMITS). */
  cgroupLimits?: CgroupLimits;
}

export interface ProgramRun {
  trace: TraceEvent[];
  reason: RunEnd;
  wallMs: number;
  runId: string;
  confinement: ConfinementReport;
}

export async function runProgramOnReal(options: ProgramRunOptions): Promise<ProgramRun> {
  const session = new RealRunSession({
    program: childProgram(options.entryFile),
    image: options.image,
    entry: options.entry,
    firstPid: options.firstPid ?? 100,
    pidMax: 32768,
    become: null,
    chaosMaxUs: options.chaosMaxUs ?? 0,
    idleMs: options.idleMs ?? 150,
    timeoutMs: options.timeoutMs ?? 20_000,
    confine: options.unconfined === true ? null : { namedIds: [], ...(options.cgroupLimits === undefined ? {} : { cgroupLimits: options.cgroupLimits }) },
  });
  options.onStart?.(session.runId);
  let reason: RunEnd = "timeout";
  try {
    reason = await session.end();
  } finally {
    await session.teardown();
  }
  return { trace: session.normalised().trace, reason, wallMs: session.elapsed(), runId: session.runId, confinement: session.confinement! };
}
