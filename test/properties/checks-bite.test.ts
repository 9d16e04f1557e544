// Every check must be able to fail. Mutants and known bugs make them fail on a broken model
// (mutants.test.ts, suite.test.ts, test/bugs); here, in addition, a real run's trace is broken
// in exactly the way a check is about, and the check must reject it while accepting the
// unbroken run. For no-internal-error this is the only way: it detects exceptions of nxtsim
// itself, which no mutant of Unit's rules stands for.

import { describe, expect, it } from "vitest";
import { simRunView } from "../../harness/run-view.ts";
import type { TraceEvent } from "../../lifecycle/trace.ts";
import type { Check, RunView } from "../../properties/check.ts";
import { ALL_CHECKS } from "../../properties/index.ts";
import { ofType, run, shipped } from "../lifecycle/helpers.ts";

function checkNamed(name: string): Check {
  const c = ALL_CHECKS.find((x) => x.name === name);
  if (c === undefined) throw new Error(`no check ${name}`);
  return c;
}

function realRun(name: string): { view: RunView; r: ReturnType<typeof run> } {
  const r = run(shipped(name), { seed: 1 });
  return { view: simRunView(r, shipped(name)), r };
}

function withTrace(view: RunView, trace: TraceEvent[]): RunView {
  return { ...view, trace };
}

describe("checks reject runs broken in their own way", () => {
  it("handshake-order: a pid-isolated prototype that never sent WHOAMI", () => {
    const { view, r } = realRun("one-app-isolated");
    const proto = ofType(r, "prototype")[0]!.pid;
    const check = checkNamed("handshake-order");
    expect(check.check(view)).toEqual([]);
    const broken = view.trace.filter((e) => !(e.pid === proto && e.kind === "model" && e.event.what === "handshake" && e.event.step === "whoami-sent"));
    expect(check.check(withTrace(view, broken)).map((v) => v.reason)).toContainEqual(expect.stringMatching(/no WHOAMI although required/));
  });

  it("maps-before-credentials: the prototype sets its ids before main writes gid_map", () => {
    const { view, r } = realRun("one-app-isolated");
    const proto = ofType(r, "prototype")[0]!.pid;
    const check = checkNamed("maps-before-credentials");
    expect(check.check(view)).toEqual([]);
    const trace = [...view.trace];
    const gidMap = trace.findIndex((e) => e.kind === "syscall" && e.call === "writeProcFile" && (e.args as { file: string }).file === "gid_map");
    const setgid = trace.findIndex((e) => e.kind === "syscall" && e.pid === proto && e.call === "setgid");
    const [moved] = trace.splice(setgid, 1);
    trace.splice(gidMap, 0, moved!);
    expect(check.check(withTrace(view, trace))).toHaveLength(1);
  });

  it("remove-pid-by-notify-matrix and remove-pid-once: a death told where the matrix forbids, and twice", () => {
    const { view } = realRun("kill-restart-app");
    const byMatrix = checkNamed("remove-pid-by-notify-matrix");
    const once = checkNamed("remove-pid-once");
    expect(byMatrix.check(view)).toEqual([]);
    expect(once.check(view)).toEqual([]);
    const i = view.trace.findIndex((e) => e.kind === "send" && (e.msg as { type: number } | null)?.type === 18);
    const send = view.trace[i]!;
    if (send.kind !== "send") throw new Error("not a send");
    const discovery = view.facts.find((f) => f.ptype === "discovery")!.pid;
    const forbidden: TraceEvent = { ...send, msg: { ...(send.msg as object), body: discovery } };
    const twice = [...view.trace];
    twice.splice(i + 1, 0, send);
    const moved = [...view.trace];
    moved[i] = forbidden;
    expect(byMatrix.check(withTrace(view, moved)).map((v) => v.reason)).toContainEqual(expect.stringMatching(/REMOVE_PID\(discovery/));
    expect(once.check(withTrace(view, twice)).map((v) => v.reason)).toContainEqual(expect.stringMatching(/twice/));
  });

  it("released-once: a record released twice", () => {
    const { view } = realRun("kill-restart-app");
    const check = checkNamed("released-once");
    expect(check.check(view)).toEqual([]);
    const release = view.trace.find((e) => e.kind === "model" && e.event.what === "table" && e.event.op === "release")!;
    expect(check.check(withTrace(view, [...view.trace, release]))).toHaveLength(1);
  });

  it("rpc-ends-once: a registration left when its port closes, and one left when its process exits", () => {
    const check = checkNamed("rpc-ends-once");
    const boot = realRun("boot-only").view;
    expect(check.check(boot)).toEqual([]);
    // discovery's MODULES registration without the RPC_ERROR that ends it: nxt_port_rpc_close then finds it.
    const modulesEnd = boot.trace.findIndex((e) => e.kind === "model" && e.event.what === "rpc" && e.event.op === "error" && e.ptype === "discovery");
    expect(check.check(withTrace(boot, boot.trace.filter((_, i) => i !== modulesEnd))).map((v) => v.reason)).toEqual([
      "discovery 101: RPC stream #1 was still registered when its port was closed",
    ]);
    // An app's WHOAMI registration without its reply: the app exits (QUIT at shutdown) with it.
    const { view, r } = realRun("shutdown-sigquit");
    expect(check.check(view)).toEqual([]);
    const app = r.sim.processes().find((f) => f.ptype === "app")!.pid;
    const whoamiEnd = view.trace.findIndex((e) => e.pid === app && e.kind === "model" && e.event.what === "rpc" && e.event.op === "resolve");
    expect(check.check(withTrace(view, view.trace.filter((_, i) => i !== whoamiEnd))).map((v) => v.reason)).toEqual([
      expect.stringMatching(new RegExp(`^app ${app}: RPC stream #\\d+ was still registered when its process exited$`)),
    ]);
  });

  it("created-before-ready: the prototype reads an app's READY before its CREATED", () => {
    const { view } = realRun("one-app-two-processes");
    const check = checkNamed("created-before-ready");
    expect(check.check(view)).toEqual([]);
    const type = (e: TraceEvent) => (e.kind === "recv" ? (e.msg as { type: number }).type : -1);
    const trace = [...view.trace];
    const created = trace.findIndex((e) => e.ptype === "prototype" && type(e) === 15);
    const ready = trace.findIndex((e) => e.ptype === "prototype" && type(e) === 16);
    // The READY read and its handler's lookup move to just before the CREATED read.
    const moved = trace.splice(ready, 2);
    trace.splice(created, 0, ...moved);
    expect(check.check(withTrace(view, trace)).map((v) => v.reason)).toEqual([expect.stringMatching(/^app \d+: its READY was handled by prototype \d+ before its CREATED$/)]);
  });

  it("configured-processes-running: the router gone at rest", () => {
    const { view } = realRun("boot-only");
    const check = checkNamed("configured-processes-running");
    expect(check.check(view)).toEqual([]);
    const facts = view.facts.map((f) => (f.ptype === "router" ? { ...f, status: "reaped" as const } : f));
    expect(check.check({ ...view, facts }).map((v) => v.reason)).toEqual(["no router is running"]);
  });

  it("shutdown-completes: a process exiting after main is an orphan, unless main was SIGKILLed", () => {
    const { view } = realRun("shutdown-sigquit");
    const check = checkNamed("shutdown-completes");
    expect(check.check(view)).toEqual([]);
    const main = view.facts.find((f) => f.ptype === "main")!.pid;
    const router = view.facts.find((f) => f.ptype === "router")!;
    const mainExit = view.trace.findIndex((e) => e.kind === "exit" && e.pid === main);
    const routerExit = view.trace.findIndex((e) => e.kind === "exit" && e.pid === router.pid);
    expect(mainExit).toBeGreaterThan(routerExit);
    const trace = [...view.trace];
    const [late] = trace.splice(routerExit, 1);
    trace.push({ ...late!, step: view.trace.at(-1)!.step });
    expect(check.check(withTrace(view, trace)).map((v) => v.reason)).toEqual([`router ${router.pid} exited after main`]);
    const before = trace[mainExit - 1]!;
    const kill: TraceEvent = { step: before.step, t: before.t, pid: main, nspid: main, ptype: "main", kind: "signal", sig: 9, action: "default" };
    trace.splice(mainExit - 1, 0, kill);
    expect(check.check(withTrace(view, trace))).toEqual([]);
  });

  it("configured-processes-running: a router that never got the configuration runs nothing, judged by unitd's initial one", () => {
    const { view } = realRun("one-app-two-processes");
    const check = checkNamed("configured-processes-running");
    expect(check.check(view)).toEqual([]);
    const isConfData = (e: TraceEvent): boolean => e.kind === "send" && e.ptype === "controller" && typeof (e.msg as { body?: unknown } | null)?.body === "object";
    expect(view.trace.some(isConfData)).toBe(true);
    const trace = view.trace.filter((e) => !isConfData(e));
    const facts = view.facts.map((f) => (f.ptype === "app" || f.ptype === "prototype" ? { ...f, status: "reaped" as const } : f));
    expect(check.check({ ...view, trace, facts }).map((v) => v.reason)).toEqual([expect.stringMatching(/^application "a" runs 0 of its 2 processes/)]);
    // Once a reconfiguration was posted the controller's configuration is not known from the trace.
    const posted: TraceEvent = { ...trace.at(-1)!, kind: "action", action: { post: 102, fn: "controllerReconfigure" } };
    expect(check.check({ ...view, trace: [...trace, posted], facts })).toEqual([]);
  });

  it("no-internal-error: a model exception", () => {
    const { view } = realRun("boot-only");
    const check = checkNamed("no-internal-error");
    expect(check.check(view)).toEqual([]);
    const last = view.trace.at(-1)!;
    const broken: TraceEvent = { step: last.step, t: last.t, pid: 100, nspid: 100, ptype: "main", kind: "internal-error", message: "boom" };
    expect(check.check(withTrace(view, [...view.trace, broken]))).toEqual([{ check: "no-internal-error", reason: "boom", step: last.step }]);
  });
});
