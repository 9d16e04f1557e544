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
  const index = new RoleIndex();
  index.update(trace);
  return index.roles();
}

/**
 * rolesFromTrace kept up to date as a trace grows: each update reads only the events added
 * since the last (a harness asks at every action, and a whole scan each time was 2% of a run).
 */
export class RoleIndex {
  private readonly byPid = new Map<number, ProcessRoleInfo>();
  private read = 0;

  /** Reads the events of `trace` (the same growing trace every time) not yet read. */
  update(trace: readonly TraceEvent[]): void {
    for (; this.read < trace.length; this.read++) {
      const e = trace[this.read]!;
      if (e.kind !== "model" || e.event.what !== "type") continue;
      const match = /^"(.*)" (prototype|application)$/.exec(e.event.name);
      this.byPid.set(e.pid, { pid: e.pid, type: e.event.type, name: e.event.name, app: match ? match[1]! : null, since: e.step });
    }
  }

  roles(): ProcessRoleInfo[] {
    return [...this.byPid.values()];
  }
}
