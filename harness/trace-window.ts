// A window on a run's trace: the events from one step to another, of one process. What
// `trace --from N --to M --pid P` draws, and what replay shows before a violation.

import type { TraceEvent } from "../lifecycle/trace.ts";

export interface TraceWindow {
  /** First step shown (inclusive); null: from the start. */
  from: number | null;
  /** Last step shown (inclusive); null: to the end. */
  to: number | null;
  /** Host pid whose events are shown (its own, and its reaping by its parent); null: all. */
  pid: number | null;
}

export const WHOLE_RUN: TraceWindow = { from: null, to: null, pid: null };

export function inWindow(w: TraceWindow, e: TraceEvent): boolean {
  if (w.from !== null && e.step < w.from) return false;
  if (w.to !== null && e.step > w.to) return false;
  return w.pid === null || e.pid === w.pid || (e.kind === "reap" && e.child === w.pid);
}

export function isWholeRun(w: TraceWindow): boolean {
  return w.from === null && w.to === null && w.pid === null;
}

/** "steps 10 to 40, pid 3" (for the notes that say a picture is a window). */
export function describeWindow(w: TraceWindow): string {
  const steps = w.from === null && w.to === null ? "" : w.to === null ? `steps ${w.from} on` : w.from === null ? `steps up to ${w.to}` : `steps ${w.from} to ${w.to}`;
  return [steps, w.pid === null ? "" : `pid ${w.pid}`].filter((s) => s !== "").join(", ");
}
