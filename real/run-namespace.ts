// The run's pid namespace is the model's host: its init stands for the host's init, unitd
// lives in it, and Unit's "host pids" are its pids. The harness collects everything by true
// host pid (SCM_CREDENTIALS, /proc); this turns a finished run into the view from the run's
// namespace, so pids mean on the real kernel what they mean in the sim (main is 100, its
// children 101...; a pid in a message body names the same process as the trace's `pid`).

import type { Json } from "../lifecycle/kernel.ts";
import type { TraceEvent } from "../lifecycle/trace.ts";
import type { KernelFacts } from "../properties/check.ts";
import type { KnownProcess } from "./normalise.ts";

export type PidMap = (hostPid: number) => number;

/** Host pid -> pid in the run's namespace (the init is 1; the harness stays 0). */
export function runPidMap(known: ReadonlyMap<number, KnownProcess>, initPid: number): PidMap {
  return (host) => {
    if (host === 0) return 0;
    if (host === initPid) return 1;
    return known.get(host)?.nspids[1] ?? host;
  };
}

export function traceInRunNamespace(trace: readonly TraceEvent[], pid: PidMap): TraceEvent[] {
  return trace.map((e): TraceEvent => {
    const head = { ...e, pid: pid(e.pid) };
    switch (head.kind) {
      case "recv":
        return { ...head, from: pid(head.from) };
      case "reap":
        return { ...head, child: pid(head.child) };
      case "action":
        return { ...head, action: actionInRunNamespace(head.action, pid) };
      default:
        return head;
    }
  });
}

/** The harness's own actions name their target by host pid ({signal, pid} / {post, fn}). */
function actionInRunNamespace(action: Json, pid: PidMap): Json {
  if (typeof action !== "object" || action === null || Array.isArray(action)) return action;
  const out: Record<string, Json> = { ...action };
  if (typeof out["pid"] === "number") out["pid"] = pid(out["pid"]);
  if (typeof out["post"] === "number") out["post"] = pid(out["post"]);
  return out;
}

export function factsInRunNamespace(facts: readonly KernelFacts[], pid: PidMap): KernelFacts[] {
  return facts.map((f) => ({ ...f, pid: pid(f.pid), ppid: pid(f.ppid), nspids: f.nspids.slice(1) }));
}
