// The send and remove_notify matrices, dynamically: NEW_PORT only where send allows,
// REMOVE_PID only where remove_notify allows and at most once per death and receiver.

import { nxtProcKeepMatrix, nxtProcRemoveNotifyMatrix, nxtProcSendMatrix } from "../../lifecycle/process.ts";
import type { Check, Violation } from "../check.ts";
import { indexTrace, messagesOfType, TYPE_INDEX } from "../trace-index.ts";

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
      if (r !== undefined && nxtProcSendMatrix[r]![t] !== 1) {
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
      if (d !== undefined && r !== undefined && nxtProcRemoveNotifyMatrix[d]![r] !== 1) {
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
        if ((!parent && nxtProcKeepMatrix[c]![entry.type] !== 1) || entry.state !== "READY") {
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
