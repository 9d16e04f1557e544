// Which Unit process is which, read from the trace (the model reports its type and name),
// so the same lookup works on any backend's trace.

import type { TraceEvent } from "../lifecycle/trace.ts";

export interface ProcessRoleInfo {
  pid: number;
  type: string;
  name: string;
  /** The application, for prototypes and apps ("a" of `"a" prototype`). */
  app: string | null;
  /** Step at which the process reported its type. */
  since: number;
}

/** The latest type/name report of every pid, in order of first report. */
export function rolesFromTrace(trace: readonly TraceEvent[]): ProcessRoleInfo[] {
  const byPid = new Map<number, ProcessRoleInfo>();
  for (const e of trace) {
    if (e.kind !== "model" || e.event.what !== "type") continue;
    const match = /^"(.*)" (prototype|application)$/.exec(e.event.name);
    byPid.set(e.pid, { pid: e.pid, type: e.event.type, name: e.event.name, app: match ? match[1]! : null, since: e.step });
  }
  return [...byPid.values()];
}
