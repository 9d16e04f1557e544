// The processes of a run as the pictures name them: one entry per host pid that acts in the
// trace (the harness, pid 0, included), in order of first appearance, labelled by the type the
// model reported ("main 100", "app 107"), or "proc N" for a process that died before reporting.

import type { TraceEvent } from "../../lifecycle/trace.ts";
import { rolesFromTrace } from "../roles.ts";

export const HARNESS_PID = 0;

export interface PictureProcess {
  pid: number;
  /** Its pid in its own pid namespace, when that differs from the host pid. */
  nspid: number | null;
  /** "main", "router", "app", ...; "nxtsim" for the harness; "proc" when never reported. */
  type: string;
  /** "type pid", e.g. "router 103". */
  label: string;
  /** Index in the trace of its first and last events. */
  first: number;
  last: number;
  /** Index of its exit event, or null if it was still running at the end. */
  exit: number | null;
}

export function processesOf(trace: readonly TraceEvent[]): PictureProcess[] {
  const types = new Map(rolesFromTrace(trace).map((r) => [r.pid, r.type]));
  const byPid = new Map<number, PictureProcess>();
  trace.forEach((e, i) => {
    let p = byPid.get(e.pid);
    if (p === undefined) {
      const type = e.pid === HARNESS_PID ? "nxtsim" : (types.get(e.pid) ?? "proc");
      p = { pid: e.pid, nspid: null, type, label: e.pid === HARNESS_PID ? type : `${type} ${e.pid}`, first: i, last: i, exit: null };
      byPid.set(e.pid, p);
    }
    p.last = i;
    if (e.nspid !== e.pid && e.pid !== HARNESS_PID) p.nspid = e.nspid;
    if (e.kind === "exit") p.exit = i;
  });
  return [...byPid.values()];
}

/** The label of a pid, for pids that appear only as peers (never acting) too. */
export function labeller(processes: readonly PictureProcess[]): (pid: number) => string {
  const labels = new Map(processes.map((p) => [p.pid, p.label]));
  return (pid) => labels.get(pid) ?? `pid ${pid}`;
}
