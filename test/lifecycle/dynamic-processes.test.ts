// Unit's dynamic process count (nxt_router.c at c8d9106a), on the shipped scenario
// dynamic-processes: application a ({max 3, spare 1, idle_timeout 2}) gets three 1500 ms
// requests at 2000 ms, application b ({max 2, spare 1}) none. The router starts the spare
// processes up front, more up to max for the load, and sends QUIT to those idle past
// idle_timeout; the counts are read from the trace and the kernel's process table.

import { describe, expect, it } from "vitest";
import type { TraceEvent } from "../../lifecycle/trace.ts";
import { appOf, live, run, shipped } from "./helpers.ts";
import type { SimRun } from "../../harness/run-sim.ts";

const SCENARIO = shipped("dynamic-processes");
const LOAD_AT = 2000;
const IDLE_TIMEOUT = 2000;
const BIAS = 50; // NXT_TIMER_DEFAULT_BIAS: the idle timer stops what falls due within it
const QUIT = 19; // _NXT_PORT_MSG_QUIT

/** Each app process of `app` with the times it appeared (its type report) and exited. */
function lives(r: SimRun, app: string): { pid: number; from: number; to: number }[] {
  const apps = appOf(r);
  const trace = r.sim.trace;
  const births = trace.filter((e) => e.kind === "model" && e.event.what === "type" && e.event.type === "app" && apps.get(e.pid) === app);
  return births.map((b) => {
    const exit = trace.find((e) => e.kind === "exit" && e.pid === b.pid);
    return { pid: b.pid, from: b.t, to: exit?.t ?? Infinity };
  });
}

function runningAt(r: SimRun, app: string, t: number): number {
  return lives(r, app).filter((l) => l.from <= t && t < l.to).length;
}

function routerPid(r: SimRun): number {
  return r.sim.trace.find((e) => e.kind === "model" && e.event.what === "type" && e.event.type === "router")!.pid;
}

/** QUITs an app process read from the router, with the time it read it. */
function quitsFromRouter(r: SimRun, pid: number): TraceEvent[] {
  const router = routerPid(r);
  return r.sim.trace.filter((e) => e.kind === "recv" && e.pid === pid && e.from === router && (e.msg as { type: number }).type === QUIT);
}

describe("dynamic process count", () => {
  for (const seed of [1, 2, 3, 4, 5]) {
    it(`seed ${seed}: spares up front, up to max under load, idle ones stopped by the router's QUIT`, () => {
      const r = run(SCENARIO, { seed });
      expect(r.result.reason).toBe("quiescent");
      // Spare processes up front: one each before any request.
      expect(runningAt(r, "a", LOAD_AT - 1)).toBe(1);
      expect(runningAt(r, "b", LOAD_AT - 1)).toBe(1);
      // The load makes the router start more, up to a's max, never beyond.
      const a = lives(r, "a");
      expect(a).toHaveLength(3);
      const peak = Math.max(...a.map((l) => runningAt(r, "a", l.from)));
      expect(peak).toBe(3);
      // b got no request: it stays at its spare process.
      expect(lives(r, "b")).toHaveLength(1);
      // The two processes past spare end by the router's QUIT, once idle for idle_timeout (less the timer's bias).
      const stopped = a.filter((l) => l.to !== Infinity);
      expect(stopped).toHaveLength(2);
      const lastRequestEnd = LOAD_AT + 1500;
      for (const l of stopped) {
        const quits = quitsFromRouter(r, l.pid);
        expect(quits).toHaveLength(1);
        expect(quits[0]!.t).toBeGreaterThanOrEqual(lastRequestEnd + IDLE_TIMEOUT - BIAS);
        expect(r.sim.trace.find((e) => e.kind === "exit" && e.pid === l.pid)).toMatchObject({ status: 0, signal: null });
      }
      // At rest: each application runs its spare process.
      const running = new Set(live(r).map((p) => p.pid));
      expect(a.filter((l) => running.has(l.pid))).toHaveLength(1);
      expect(lives(r, "b").filter((l) => running.has(l.pid))).toHaveLength(1);
    });
  }

  it("the mutants: no spare started before a request (router-no-spares), idle ones never stopped (router-keeps-idle)", () => {
    const noSpares = run(SCENARIO, { seed: 1, mutants: ["router-no-spares"] });
    expect(runningAt(noSpares, "a", LOAD_AT - 1)).toBe(0);
    expect(lives(noSpares, "b")).toHaveLength(0);
    const keepsIdle = run(SCENARIO, { seed: 1, mutants: ["router-keeps-idle"] });
    expect(lives(keepsIdle, "a").filter((l) => l.to === Infinity)).toHaveLength(3);
  });

  it("the integer form keeps n processes and no idle timer: a request load leaves it as it was", () => {
    const withLoad = { ...SCENARIO, config: { applications: { a: { type: "python", module: "wsgi", processes: 2 } } }, actions: SCENARIO.actions };
    const r = run(withLoad, { seed: 1 });
    expect(lives(r, "a")).toHaveLength(2);
    expect(r.sim.trace.filter((e) => e.kind === "syscall" && (e.call === "timersNow" || (e.call === "setTimer" && (e.args as { fn: string }).fn === "routerAppIdleTimeout")))).toEqual([]);
  });
});
