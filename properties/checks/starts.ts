// Start requests: the router's START_PROCESS (to main for a prototype, to a prototype for an
// app) is answered on its stream unless the router died first (reference 1.4, 3.7, I11);
// and a process never serves two start requests with one stream at once, since the answer
// is told apart by its stream alone (I4: streams come from one counter shared by every
// process, nxt_port_rpc_init's MAP_SHARED page).

import type { TraceEvent } from "../../lifecycle/trace.ts";
import type { Check, Violation } from "../check.ts";
import { indexTrace } from "../trace-index.ts";
import { mainKilled } from "./end-state.ts";
import { header, lifeEnd, MSG, REPLY_TYPES, who } from "./start-protocol.ts";

/**
 * Whether the requester `pid` heard back on `stream` in trace indices (from, to): a reply
 * read on that stream, or its RPC handler for the stream run by its own port (a dead peer,
 * nxt_port_rpc_remove_peer; its port closed, nxt_port_rpc_close).
 */
function answered(trace: readonly TraceEvent[], pid: number, stream: number, from: number, to: number): boolean {
  for (let i = from + 1; i < to; i++) {
    const e = trace[i]!;
    if (e.pid !== pid) continue;
    if (e.kind === "recv") {
      const h = header(e.msg);
      if (h !== null && h.stream === stream && REPLY_TYPES.has(h.type)) return true;
    }
    if (e.kind === "model" && e.event.what === "rpc" && e.event.stream === stream && (e.event.op === "resolve" || e.event.op === "error")) return true;
  }
  return false;
}

export const startRequestsAnswered: Check = {
  name: "start-requests-answered",
  claim:
    "every START_PROCESS sent (router to main, router to a prototype) is answered on its stream, with NEW_PORT of the new process or an error, unless its requester died first, while main lives (every start needs main: a prototype from it, an app's WHOAMI answered by it; judged at quiescence)",
  check: (run) => {
    const main = run.facts.find((f) => f.ptype === "main");
    // A main killed by SIGKILL (a generated scenario's action) can finish no start.
    if (!run.quiescent || (main !== undefined && mainKilled(run, main.pid))) return [];
    const index = indexTrace(run.trace);
    const out: Violation[] = [];
    run.trace.forEach((e, i) => {
      const h = e.kind === "send" && e.ret === null ? header(e.msg) : null;
      if (e.kind !== "send" || h === null || h.type !== MSG.START_PROCESS) return;
      const end = lifeEnd(index, run.trace, e.pid, i);
      if (end < run.trace.length || answered(run.trace, e.pid, h.stream, i, end)) return;
      const target = index.readerOf.get(e.sock);
      const to = target === undefined ? "a port nobody read" : who(index, target);
      out.push({ check: "start-requests-answered", reason: `${who(index, e.pid)}: START_PROCESS #${h.stream} to ${to} never answered`, step: e.step });
    });
    return out;
  },
};

/** The requests of the start protocol that a process answers on their stream. */
const START_REQUESTS: ReadonlySet<number> = new Set([MSG.START_PROCESS, MSG.WHOAMI, MSG.PROCESS_CREATED]);
const NAMES: Readonly<Record<number, string>> = { [MSG.START_PROCESS]: "START_PROCESS", [MSG.WHOAMI]: "WHOAMI", [MSG.PROCESS_CREATED]: "PROCESS_CREATED" };

interface Pending {
  from: number;
  type: number;
}

export const startStreamsUnique: Check = {
  name: "start-streams-unique",
  claim:
    "no process serves two start requests (START_PROCESS, WHOAMI, PROCESS_CREATED as an RPC) with the same stream at once: from reading one until sending a reply on its stream",
  check: (run) => {
    const index = indexTrace(run.trace);
    const out: Violation[] = [];
    // server pid -> stream -> the request read and not yet answered
    const pending = new Map<number, Map<number, Pending>>();
    for (const e of run.trace) {
      if (e.kind === "exit") pending.delete(e.pid);
      const h = e.kind === "send" || e.kind === "recv" ? header(e.msg) : null;
      if (h === null || h.stream === 0) continue;
      const mine = pending.get(e.pid) ?? new Map<number, Pending>();
      pending.set(e.pid, mine);
      if (e.kind === "send" && REPLY_TYPES.has(h.type)) mine.delete(h.stream);
      if (e.kind !== "recv" || !START_REQUESTS.has(h.type)) continue;
      const before = mine.get(h.stream);
      if (before !== undefined) {
        out.push({
          check: "start-streams-unique",
          reason: `${who(index, e.pid)} serves ${NAMES[before.type]} from ${who(index, before.from)} and ${NAMES[h.type]} from ${who(index, e.from)} with the same stream #${h.stream}`,
          step: e.step,
        });
      }
      mine.set(h.stream, { from: e.from, type: h.type });
    }
    return out;
  },
};
