// The view from the run's pid namespace: every pid a trace or a fact holds is translated,
// so that a pid in a message body (Unit's host pid, main's namespace) names the same process
// as the trace's `pid` even when the true host pids wrapped around onto the run's numbers.

import { describe, expect, it } from "vitest";

import type { TraceEvent } from "../../lifecycle/trace.ts";
import type { KernelFacts } from "../../properties/check.ts";
import type { KnownProcess } from "../../real/normalise.ts";
import { factsInRunNamespace, runPidMap, traceInRunNamespace } from "../../real/run-namespace.ts";

const NS = { mnt: 1, net: 1, uts: 1, ipc: 1, cgroup: 1, pid: 1, user: 1 };
// Host pids wrapped: main is 32736 on the host but 100 in the run; an app is 414 on the host
// (a number the run's namespace also uses, for another process) and 101 in the run.
const known = new Map<number, KnownProcess>([
  [32736, { hostPid: 32736, ppid: 32700, nspids: [32736, 100], ns: NS, uid: 0, gid: 0 }],
  [414, { hostPid: 414, ppid: 32736, nspids: [414, 101, 2], ns: NS, uid: 0, gid: 0 }],
]);
const pid = runPidMap(known, 32700);
const head = { step: 1, t: 0, nspid: 0, ptype: "" };

describe("the run's namespace as the model's host", () => {
  it("translates the actor, a receive's sender, a reap's child and a harness action's target", () => {
    const trace: TraceEvent[] = [
      { ...head, pid: 32736, kind: "recv", fd: 3, sock: 9, msg: { type: 18, body: 101 }, fds: [], credPid: 101, from: 414 },
      { ...head, pid: 32736, kind: "reap", child: 414, status: null, signal: 9 },
      { ...head, pid: 0, kind: "action", action: { signal: 9, pid: 414 } },
      { ...head, pid: 0, kind: "action", action: { post: 32736, fn: "controllerReconfigure" } },
    ];
    const out = traceInRunNamespace(trace, pid);
    expect(out.map((e) => e.pid)).toEqual([100, 100, 0, 0]);
    expect(out[0]).toMatchObject({ kind: "recv", from: 101, credPid: 101 });
    expect(out[1]).toMatchObject({ kind: "reap", child: 101 });
    expect(out[2]).toMatchObject({ action: { signal: 9, pid: 101 } });
    expect(out[3]).toMatchObject({ action: { post: 100 } });
  });

  it("makes the run's init pid 1 (the host's init in the sim) and drops the true host level of NSpid", () => {
    const facts: KernelFacts[] = [
      { pid: 32736, nspids: [32736, 100], ppid: 32700, ptype: "main", status: "running", exit: null, uid: 0, gid: 0, noNewPrivs: false, ns: NS, fds: [] },
      { pid: 414, nspids: [414, 101, 2], ppid: 32736, ptype: "app", status: "running", exit: null, uid: 0, gid: 0, noNewPrivs: false, ns: NS, fds: [] },
    ];
    expect(factsInRunNamespace(facts, pid).map((f) => [f.pid, f.ppid, f.nspids])).toEqual([
      [100, 1, [100]],
      [101, 100, [101, 2]],
    ]);
  });
});
