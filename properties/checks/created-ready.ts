// A child's PROCESS_CREATED and PROCESS_READY at its parent (reference 4.7, 4.8): the parent
// handles CREATED before READY (its READY handler expects the state CREATED leaves), and
// neither is dropped: each reaches the parent, and the parent's handler finds the child's
// record (nxt_proto_process_created_handler, nxt_main_process_created_handler and
// nxt_port_process_ready_handler drop a message whose record they miss, silently).

import type { TraceEvent } from "../../lifecycle/trace.ts";
import type { Check, RunView, Violation } from "../check.ts";
import { deadAt, indexTrace, type SentMessage, type TraceIndex } from "../trace-index.ts";
import { killedAt, lifeEnd, MSG, who } from "./start-protocol.ts";

const NAME = "created-before-ready";

/** One read of a child's message by its parent, and whether the parent's handler found the child's record. */
interface Read {
  reader: number;
  at: number;
  step: number;
  /** null: no handshake handler reported a lookup for it. */
  found: boolean | null;
}

/** The reads of the child's messages of one type on the socket it wrote them to. */
function readsOf(trace: readonly TraceEvent[], first: SentMessage): Read[] {
  const out: Read[] = [];
  trace.forEach((e, i) => {
    if (e.kind !== "recv" || e.sock !== first.sock || e.from !== first.from || (e.msg as { type?: number } | null)?.type !== first.msg.type) return;
    out.push({ reader: e.pid, at: i, step: e.step, found: handlerFound(trace, e.pid, i) });
  });
  return out;
}

/** The reader's handler lookup right after its read at `at` (before its next read). */
function handlerFound(trace: readonly TraceEvent[], reader: number, at: number): boolean | null {
  for (let i = at + 1; i < trace.length; i++) {
    const e = trace[i]!;
    if (e.pid !== reader) continue;
    if (e.kind === "model" && e.event.what === "handler") return e.event.found;
    if (e.kind === "recv" || e.kind === "exit") return null;
  }
  return null;
}

/** The child's writes of one message type: every attempt (a failed one may be queued and retried). */
function attempts(index: TraceIndex, child: number, type: number): SentMessage[] {
  return index.sends.filter((s) => s.from === child && s.msg.type === type);
}

/** Why a message the child wrote never reached its parent, or null if it did, or the parent or the child died with it. */
function lost(run: RunView, index: TraceIndex, tries: SentMessage[], reads: Read[]): string | null {
  const first = tries[0]!;
  const reader = index.readerOf.get(first.sock);
  // A parent gone takes its unread messages with it.
  if (reads.length > 0 || !run.quiescent || reader === undefined || !run.facts.some((f) => f.pid === reader && f.status === "running")) return null;
  if (tries.some((s) => !s.failed)) return `was never read by ${who(index, reader)}`;
  // Queued by the child's port on EAGAIN and never written: dropped, unless the child was killed first.
  const end = lifeEnd(index, run.trace, first.from, first.index);
  return end < run.trace.length && killedAt(run.trace, end) ? null : `never reached ${who(index, reader)} (its write failed and was never retried to success)`;
}

export const createdBeforeReady: Check = {
  name: NAME,
  claim:
    "a child's PROCESS_CREATED is handled by its parent before its PROCESS_READY, and neither is dropped: each one the child writes reaches a parent that lives on, whose handler finds the child's record",
  check: (run: RunView) => {
    const index = indexTrace(run.trace);
    const out: Violation[] = [];
    const children = new Set(index.sends.filter((s) => s.msg.type === MSG.PROCESS_CREATED).map((s) => s.from));
    for (const child of children) {
      const bad = (what: string, step: number) => out.push({ check: NAME, reason: `${who(index, child)}: ${what}`, step });
      const created = attempts(index, child, MSG.PROCESS_CREATED);
      const ready = attempts(index, child, MSG.PROCESS_READY);
      const createdReads = readsOf(run.trace, created[0]!);
      const readyReads = ready.length === 0 ? [] : readsOf(run.trace, ready[0]!);
      const firstReady = readyReads[0];
      if (firstReady !== undefined && !createdReads.some((r) => r.at < firstReady.at)) {
        bad(`its READY was handled by ${who(index, firstReady.reader)} before its CREATED`, firstReady.step);
      }
      for (const [name, tries, reads] of [["CREATED", created, createdReads], ["READY", ready, readyReads]] as const) {
        if (tries.length === 0) continue;
        for (const r of reads) {
          if (r.found === false && !deadAt(index, child, r.at)) bad(`its ${name} was dropped by ${who(index, r.reader)} (no record of it)`, r.step);
        }
        const why = lost(run, index, tries, reads);
        if (why !== null) bad(`its ${name} ${why}`, tries[0]!.step);
      }
    }
    return out;
  },
};
