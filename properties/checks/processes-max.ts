// An application's `max` is a ceiling: nxt_router.c starts a process only while
// nxt_router_app_can_start holds (processes + pending_processes < max_processes), and counts a
// process off only when it sends it QUIT as idle (nxt_router_adjust_idle_timer) or when its
// port closes after its death. So the processes one prototype forked for its application,
// less those the router sent QUIT, never number more than that application's max.

import type { Check, RunView, Violation } from "../check.ts";
import type { TraceEvent } from "../../lifecycle/trace.ts";
import { indexTrace, type TraceIndex } from "../trace-index.ts";
import { maxProcesses } from "./configured.ts";
import { header, lifeEnd, MSG } from "./start-protocol.ts";

const NAME = "processes-within-max";
const QUIT = 19; // _NXT_PORT_MSG_QUIT (src/nxt_port.h)

interface Birth {
  pid: number;
  nspid: number;
  at: number;
  name: string;
}

function births(trace: readonly TraceEvent[], type: string): Birth[] {
  const out: Birth[] = [];
  trace.forEach((e, at) => {
    if (e.kind === "model" && e.event.what === "type" && e.event.type === type) out.push({ pid: e.pid, nspid: e.nspid, at, name: e.event.name });
  });
  return out;
}

/** The application's max as main got it in the START_PROCESS that made this prototype (the last for its name before it). */
function prototypeMax(trace: readonly TraceEvent[], typeOf: ReadonlyMap<number, string>, proto: Birth): number | null {
  for (let i = proto.at - 1; i >= 0; i--) {
    const e = trace[i]!;
    const h = e.kind === "recv" && typeOf.get(e.pid) === "main" ? header(e.msg) : null;
    if (h === null || h.type !== MSG.START_PROCESS || typeof h.body !== "object" || h.body === null) continue;
    const body = h.body as { name?: unknown; conf?: unknown };
    if (`"${String(body.name)}" prototype` === proto.name) return maxProcesses(body.conf);
  }
  return null;
}

/**
 * The prototype that forked an app: one the kernel names as its parent, serving the app's
 * application, alive at the app's birth, whose last clone before it returned the app's pid as
 * the prototype sees it.
 */
function parentPrototype(trace: readonly TraceEvent[], index: TraceIndex, protos: readonly Birth[], parents: ReadonlySet<number>, app: Birth): number | null {
  const name = app.name.replace(/ application$/, " prototype");
  const alive = protos.filter((p) => parents.has(p.pid) && p.name === name && p.at < app.at && lifeEnd(index, trace, p.pid, p.at) > app.at);
  for (let i = app.at - 1; i >= 0; i--) {
    const e = trace[i]!;
    if (e.kind === "syscall" && e.call === "clone" && e.ret === app.nspid && alive.some((p) => p.pid === e.pid)) return e.pid;
  }
  return null;
}

/**
 * Where the router sent this app QUIT: its send on a socket the app reads (exact on the sim),
 * else, for a QUIT the app read from the router, the earliest QUIT the router sent after the
 * app's birth (the most lenient choice).
 */
function quitAt(trace: readonly TraceEvent[], routers: ReadonlySet<number>, app: Birth, end: number): number {
  const socks = new Set<number>();
  let readAt = -1;
  for (let i = app.at; i < end; i++) {
    const e = trace[i]!;
    if (e.kind !== "recv" || e.pid !== app.pid) continue;
    socks.add(e.sock);
    const h = header(e.msg);
    if (readAt < 0 && h !== null && h.type === QUIT && routers.has(h.pid)) readAt = i;
  }
  let earliest = Infinity;
  for (let i = app.at; i < end; i++) {
    const e = trace[i]!;
    if (e.kind !== "send" || !routers.has(e.pid) || header(e.msg)?.type !== QUIT) continue;
    if (socks.has(e.sock)) return i;
    if (readAt >= 0 && i < readAt && earliest === Infinity) earliest = i;
  }
  return readAt >= 0 ? Math.min(earliest, readAt) : Infinity;
}

export const processesWithinMax: Check = {
  name: NAME,
  claim:
    "no prototype's application processes, less those its router sent QUIT, ever number more than the application's max (`processes` n: n; an object: its max, 1 by default), as nxt_router_app_can_start allows no start beyond it",
  check: (run: RunView) => {
    const trace = run.trace;
    const index = indexTrace(trace);
    const routers = new Set([...index.typeOf].filter(([, t]) => t === "router").map(([pid]) => pid));
    const protos = births(trace, "prototype");
    const apps = births(trace, "app").map((app) => {
      const end = lifeEnd(index, trace, app.pid, app.at);
      const parents = new Set(run.facts.filter((f) => f.pid === app.pid).map((f) => f.ppid));
      return { ...app, parent: parentPrototype(trace, index, protos, parents, app), until: Math.min(end, quitAt(trace, routers, app, end)) };
    });
    const out: Violation[] = [];
    for (const proto of protos) {
      const max = prototypeMax(trace, index.typeOf, proto);
      if (max === null) continue;
      const protoEnd = lifeEnd(index, trace, proto.pid, proto.at);
      const own = apps.filter((a) => a.parent === proto.pid && a.at > proto.at && a.at < protoEnd);
      for (const born of own) {
        const running = own.filter((a) => a.at <= born.at && born.at < a.until).length;
        if (running > max) {
          out.push({ check: NAME, reason: `${proto.name} ${proto.pid} runs ${running} application processes at step ${trace[born.at]!.step}, more than its max ${max}`, step: trace[born.at]!.step });
          break;
        }
      }
    }
    return out;
  },
};
