// RPC registrations (src/nxt_port_rpc.c): each ends exactly once, by a LAST reply to its
// ready or error handler, by nxt_port_rpc_remove_peer when its peer dies, or by
// nxt_port_rpc_cancel; nxt_port_rpc_close ends every one left on a port that nxt_port_close
// closes, and none outlives its process unless the process is killed.

import type { Check, Violation } from "../check.ts";
import { indexTrace } from "../trace-index.ts";
import { killedAt, lifeEnd, who } from "./start-protocol.ts";

const NAME = "rpc-ends-once";

interface Registration {
  pid: number;
  stream: number;
  port: number;
  /** Trace index of the registration. */
  at: number;
}

/** `${pid}/${port}/${stream}` of a registration or of an event that acts on it. */
function key(pid: number, port: number | undefined, stream: number): string {
  return `${pid}/${port ?? "?"}/${stream}`;
}

export const rpcEndsOnce: Check = {
  name: NAME,
  claim:
    "every RPC registration ends exactly once (a LAST reply to its ready or error handler, its peer's death, or cancel), before nxt_port_close has closed its port and before its process exits, unless the process is killed",
  check: (run) => {
    const index = indexTrace(run.trace);
    const registrations: Registration[] = [];
    const ends = new Map<string, number[]>();
    const closes = new Map<string, number[]>();
    const push = (map: Map<string, number[]>, k: string, i: number) => {
      const list = map.get(k);
      if (list === undefined) map.set(k, [i]);
      else list.push(i);
    };
    run.trace.forEach((e, i) => {
      if (e.kind !== "model") return;
      const ev = e.event;
      if (ev.what === "rpc-close") push(closes, `${e.pid}/${ev.port}`, i);
      if (ev.what !== "rpc") return;
      if (ev.op === "register") registrations.push({ pid: e.pid, stream: ev.stream, port: ev.port ?? -1, at: i });
      else if (ev.op === "cancel" || ev.last === true) push(ends, key(e.pid, ev.port, ev.stream), i);
    });
    const out: Violation[] = [];
    const bad = (r: Registration, what: string, at: number) =>
      out.push({ check: NAME, reason: `${who(index, r.pid)}: RPC stream #${r.stream} ${what}`, step: run.trace[at]?.step ?? -1 });
    for (const r of registrations) {
      // Only this process's own events count: a child forked later acts on its own copy.
      const end = lifeEnd(index, run.trace, r.pid, r.at);
      const own = (i: number) => i > r.at && i < end;
      const ended = (ends.get(key(r.pid, r.port, r.stream)) ?? []).filter(own);
      const close = (closes.get(`${r.pid}/${r.port}`) ?? []).find(own);
      if (ended.length > 1) bad(r, `ended ${ended.length} times`, ended[1]!);
      if (close !== undefined && (ended[0] ?? Infinity) > close) {
        bad(r, "was still registered when its port was closed", close);
      } else if (ended.length === 0 && end < run.trace.length && !killedAt(run.trace, end)) {
        bad(r, "was still registered when its process exited", end);
      }
    }
    return out;
  },
};
