// Instrumentation only: a process reports its table (rt->processes) in the trace so that
// properties can judge it from the trace alone. Reading never changes state, never aborts.

import { isLive, port, proc, type Ctx } from "./context.ts";
import type { DeadRecord, TableEntry } from "./kernel.ts";
import { stateName } from "./port.ts";
import { processType } from "./process.ts";
import { lvlhshEntries } from "./lvlhsh-each.ts";
import { NXT_PROCESS_MAIN, NXT_PROCESS_PROTOTYPE, type ProcessRec } from "./state.ts";

function entriesOf(ctx: Ctx): TableEntry[] {
  // A released record is taken out of the table before it is freed, so every oid is live;
  // the guard only keeps a model bug from turning into an abort here. In walk order, each
  // under the key it was filed with.
  const entries: TableEntry[] = [];
  for (const e of lvlhshEntries(ctx.s.rt.processes)) {
    if (isLive(ctx, e.value)) entries.push(entryOf(ctx, e.key as number, proc(ctx, e.value)));
  }
  return entries;
}

function entryOf(ctx: Ctx, key: number, p: ProcessRec): TableEntry {
  let open = 0;
  let queued = 0;
  for (const oid of p.ports) {
    if (!isLive(ctx, oid)) continue;
    const q = port(ctx, oid);
    if (q.pair[0] !== -1 || q.pair[1] !== -1) open++;
    queued += q.queued.length;
  }
  return {
    key,
    pid: p.pid,
    oid: p.oid,
    type: processType(ctx, p),
    state: stateName(p.state),
    useCount: p.useCount,
    ports: p.ports.length,
    open,
    queued,
  };
}

/** The record of a dead process as its holder sees it, taken before the holder closes it. */
export function deadRecordOf(ctx: Ctx, p: ProcessRec): DeadRecord {
  return {
    pid: p.pid,
    type: processType(ctx, p),
    state: stateName(p.state),
    children: p.children.filter((oid) => isLive(ctx, oid)).map((oid) => ({ pid: proc(ctx, oid).pid, type: processType(ctx, proc(ctx, oid)) })),
  };
}

/** main's nxt_exiting or a prototype's nxt_proto_exiting (children inherit main's copy: ignored). */
function exitingFlag(ctx: Ctx): boolean {
  if (ctx.s.rt.type === NXT_PROCESS_MAIN) return ctx.s.main?.exiting ?? false;
  if (ctx.s.rt.type === NXT_PROCESS_PROTOTYPE) return ctx.s.proto?.exiting ?? false;
  return false;
}

/** Reports the caller's table; `dead` is the record whose death it handles (see deadRecordOf). */
export function traceTableSnapshot(ctx: Ctx, at: "reap" | "remove-pid" | "exit", dead: DeadRecord | null): void {
  ctx.k.trace({ what: "table-snapshot", at, dead, exiting: exitingFlag(ctx), entries: entriesOf(ctx) });
}
