// The send and remove_notify matrices, dynamically: NEW_PORT only where send allows,
// REMOVE_PID only where remove_notify allows, at most once per death and receiver, and
// to every receiver it is due to.

import type { TableEntry } from "../../lifecycle/kernel.ts";
import type { Check, RunView, Violation } from "../check.ts";
import { exitsAfter, indexTrace, messagesOfType, type TableSnapshot, type TraceIndex } from "../trace-index.ts";
import { portMsgCode, TYPE_INDEX, typeName, UNIT_KEEP_MATRIX, UNIT_REMOVE_NOTIFY_MATRIX, UNIT_SEND_MATRIX } from "../unit-rules.ts";

const REMOVE_PID = portMsgCode("REMOVE_PID");

export const newPortBySendMatrix: Check = {
  name: "new-port-by-send-matrix",
  claim: "NEW_PORT about a port of type t reaches a process of type r only if send[r][t]",
  check: (run) => {
    const index = indexTrace(run.trace);
    const out: Violation[] = [];
    for (const s of messagesOfType(index, "NEW_PORT")) {
      const receiver = index.readerOf.get(s.sock);
      if (receiver === undefined) continue;
      const r = TYPE_INDEX[index.typeOf.get(receiver) ?? ""];
      const t = (s.msg.body as { type: number }).type;
      if (r !== undefined && UNIT_SEND_MATRIX[r]![t] !== 1) {
        out.push({
          check: "new-port-by-send-matrix",
          reason: `${index.typeOf.get(s.from)} ${s.from} sent NEW_PORT(type ${t}) to ${index.typeOf.get(receiver)} ${receiver}`,
          step: s.step,
        });
      }
    }
    return out;
  },
};

export const removePidByNotifyMatrix: Check = {
  name: "remove-pid-by-notify-matrix",
  claim: "REMOVE_PID for a dead process of type d reaches type r only if remove_notify[d][r]",
  check: (run) => {
    const index = indexTrace(run.trace);
    const out: Violation[] = [];
    for (const s of messagesOfType(index, "REMOVE_PID")) {
      const receiver = index.readerOf.get(s.sock);
      const dead = s.msg.body as number;
      if (receiver === undefined) continue;
      const d = TYPE_INDEX[index.typeOf.get(dead) ?? ""];
      const r = TYPE_INDEX[index.typeOf.get(receiver) ?? ""];
      if (d !== undefined && r !== undefined && UNIT_REMOVE_NOTIFY_MATRIX[d]![r] !== 1) {
        out.push({
          check: "remove-pid-by-notify-matrix",
          reason: `REMOVE_PID(${index.typeOf.get(dead)} ${dead}) sent to ${index.typeOf.get(receiver)} ${receiver}`,
          step: s.step,
        });
      }
    }
    return out;
  },
};

export const removePidOnce: Check = {
  name: "remove-pid-once",
  claim: "each receiver is told of a death at most once (REMOVE_PID per dead pid and receiver)",
  check: (run) => {
    const index = indexTrace(run.trace);
    const out: Violation[] = [];
    const seen = new Set<string>();
    for (const s of messagesOfType(index, "REMOVE_PID")) {
      const receiver = index.readerOf.get(s.sock);
      if (receiver === undefined) continue;
      const key = `${s.msg.body as number}>${receiver}`;
      if (seen.has(key)) {
        out.push({
          check: "remove-pid-once",
          reason: `REMOVE_PID(${index.typeOf.get(s.msg.body as number)} ${s.msg.body as number}) reached ${index.typeOf.get(receiver)} ${receiver} twice (again from ${index.typeOf.get(s.from)} ${s.from})`,
          step: s.step,
        });
      }
      seen.add(key);
    }
    return out;
  },
};

export const fixupByKeepMatrix: Check = {
  name: "fixup-by-keep-matrix",
  claim: "after fixup a child of type c keeps only READY entries of types t with keep[c][t], plus its parent",
  check: (run) => {
    const index = indexTrace(run.trace);
    const out: Violation[] = [];
    const parentOf = new Map<number, number>();
    for (const e of run.trace) {
      if (e.kind === "model" && e.event.what === "handshake" && e.event.step === "child-fixup") {
        parentOf.set(e.pid, (e.event.detail as { ppid: number }).ppid);
      }
      if (e.kind !== "model" || e.event.what !== "fixup") continue;
      const c = TYPE_INDEX[index.typeOf.get(e.pid) ?? ""];
      if (c === undefined) continue;
      for (const entry of e.event.kept) {
        const parent = entry.pid === parentOf.get(e.pid);
        if ((!parent && UNIT_KEEP_MATRIX[c]![entry.type] !== 1) || entry.state !== "READY") {
          out.push({
            check: "fixup-by-keep-matrix",
            reason: `${index.typeOf.get(e.pid)} ${e.pid} kept ${entry.state} entry ${entry.pid} of type ${entry.type}`,
            step: e.step,
          });
        }
      }
    }
    return out;
  },
};

/** A death the reporter of a reap snapshot must announce: the dead pid and its record's type. */
interface Death {
  pid: number;
  type: number;
}

/**
 * What Unit's SIGCHLD handlers announce for one reaped record (nxt_main_process.c,
 * nxt_application.c at c8d9106a): main, unless nxt_exiting, the dead record and then each
 * record linked into its children list (each closed once announced); a prototype the dead
 * app, unless its record is still CREATING. Each announcement is nxt_port_remove_notify_others.
 */
function deathsAnnounced(snap: TableSnapshot): Death[] {
  const dead = snap.event.dead;
  if (dead === null || snap.event.at !== "reap") return [];
  if (snap.ptype === "main") return snap.event.exiting ? [] : [dead, ...dead.children];
  if (snap.ptype === "prototype") return dead.state === "CREATING" ? [] : [dead];
  return [];
}

/**
 * nxt_port_remove_notify_others(dead) over the reporter's table: every entry but the reporter
 * and the dead one that has a port and whose first port's type the matrix row names.
 * `closed` are records already closed in the same handling (earlier children).
 */
function dueReceivers(snap: TableSnapshot, death: Death, closed: ReadonlySet<number>): TableEntry[] {
  return snap.event.entries.filter(
    (e) => e.pid !== snap.pid && e.pid !== death.pid && !closed.has(e.pid) && e.ports > 0 && UNIT_REMOVE_NOTIFY_MATRIX[death.type]![e.type] === 1,
  );
}

/**
 * Why a due REMOVE_PID has no write in the trace: a write that met a backed-up port is only
 * queued (no send event), and lost if the notifier exits first, which its exit table shows;
 * a notifier killed before it flushed cannot tell.
 */
function unsentFate(run: RunView, index: TraceIndex, snap: TableSnapshot, receiver: number): "killed" | "queued-at-exit" | "never" {
  const exit = (index.exits.get(snap.pid) ?? []).find((i) => i > snap.index);
  if (exit === undefined) return "never";
  const e = run.trace[exit]!;
  if (e.kind === "exit" && e.signal !== null) return "killed";
  const last = index.snapshots.find((s) => s.pid === snap.pid && s.event.at === "exit" && s.index > snap.index && s.index < exit);
  return (last?.event.entries.find((x) => x.pid === receiver)?.queued ?? 0) > 0 ? "queued-at-exit" : "never";
}

export const removePidComplete: Check = {
  name: "remove-pid-complete",
  claim:
    "every due REMOVE_PID is sent: for each death main (not exiting) or a prototype (record past CREATING) handles, every process in its table that remove_notify names and that lives to the end of a quiescent run is sent REMOVE_PID",
  check: (run) => {
    if (!run.quiescent) return [];
    const index = indexTrace(run.trace);
    const running = new Set(run.facts.filter((f) => f.status === "running").map((f) => f.pid));
    const out: Violation[] = [];
    for (const snap of index.snapshots) {
      const closed = new Set<number>();
      for (const death of deathsAnnounced(snap)) {
        for (const r of dueReceivers(snap, death, closed)) {
          if (!running.has(r.pid) || exitsAfter(index, r.pid, snap.index)) continue;
          // A write attempt counts, even one that failed: Unit did its part.
          const sent = index.sends.some(
            (s) => s.index > snap.index && s.from === snap.pid && s.msg.type === REMOVE_PID && s.msg.body === death.pid && index.readerOf.get(s.sock) === r.pid,
          );
          const fate = sent ? "sent" : unsentFate(run, index, snap, r.pid);
          if (fate === "sent" || fate === "killed") continue;
          const what = `REMOVE_PID(${typeName(death.type)} ${death.pid}) to ${typeName(r.type)} ${r.pid}`;
          out.push({
            check: "remove-pid-complete",
            reason: fate === "queued-at-exit" ? `${snap.ptype} ${snap.pid} exited with ${what} still queued` : `${snap.ptype} ${snap.pid} never sent ${what}`,
            step: snap.step,
          });
        }
        if (death !== snap.event.dead) closed.add(death.pid);
      }
    }
    return out;
  },
};
