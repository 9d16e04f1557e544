// Acceptance: boot reaches steady state, and each process holds exactly the ports that the
// keep and send matrices (with the reference's rules) allow.

import { describe, expect, it } from "vitest";
import { nxtProcKeepMatrix, nxtProcSendMatrix } from "../../lifecycle/matrices.ts";
import { PROCESS_TYPE_NAMES, type UnitGlobals } from "../../lifecycle/state.ts";
import type { SimRun } from "../../harness/run-sim.ts";
import { appOf, live, ofType, run, SEEDS_FEW, shipped, stateOf } from "./helpers.ts";

const STEADY = ["boot-only", "one-app-two-processes", "one-app-isolated", "two-apps"];

function configuredApps(name: string): Record<string, number> {
  const conf = shipped(name).config as { applications?: Record<string, { processes?: number }> };
  const out: Record<string, number> = {};
  for (const [app, c] of Object.entries(conf.applications ?? {})) out[app] = c.processes ?? 1;
  return out;
}

describe("boot reaches steady state", () => {
  for (const name of STEADY) {
    it.each(SEEDS_FEW)(`${name}, seed %i`, (seed) => {
      const r = run(shipped(name), { seed });
      expect(r.result.reason).toBe("quiescent");
      expect(r.sim.trace.filter((e) => e.kind === "crash" || e.kind === "internal-error")).toEqual([]);
      expect(ofType(r, "main")).toHaveLength(1);
      expect(ofType(r, "controller")).toHaveLength(1);
      expect(ofType(r, "router")).toHaveLength(1);
      const discovery = r.sim.processes().filter((p) => p.ptype === "discovery");
      expect(discovery).toHaveLength(1);
      expect(discovery[0]!.status).toBe("reaped");
      expect(discovery[0]!.exit).toEqual({ status: 0, signal: null });
      const apps = configuredApps(name);
      const owner = appOf(r);
      const protos = ofType(r, "prototype").map((p) => owner.get(p.pid)).sort();
      expect(protos).toEqual(Object.keys(apps).sort());
      for (const [app, n] of Object.entries(apps)) {
        expect(ofType(r, "app").filter((p) => owner.get(p.pid) === app)).toHaveLength(n);
      }
    });
  }
});

/** Type index of a Unit process from its reported type name. */
function typeIndex(type: string): number {
  const i = (PROCESS_TYPE_NAMES as readonly string[]).indexOf(type);
  if (i < 0) throw new Error(`unknown type ${type}`);
  return i;
}

/** sock id of each live process's own port (the read end it holds for itself). */
function ownSocks(r: SimRun): Map<number, number> {
  const out = new Map<number, number>();
  for (const p of live(r)) {
    const s: UnitGlobals = stateOf(r, p.pid);
    const ownOid = s.rt.portByType[typeIndex(p.ptype)];
    const own = ownOid == null ? undefined : s.heap.objs[ownOid];
    if (own === undefined || own.kind !== "port") throw new Error(`${p.pid} has no own port`);
    const fd = p.fds.find((f) => f.fd === own.pair[0]);
    if (fd === undefined) throw new Error(`${p.pid}: own read end ${own.pair[0]} not in its fd table`);
    out.set(fd.sock, p.pid);
  }
  return out;
}

/**
 * Whose port write ends a process of type `child` may hold at steady state: those its keep
 * row lets it inherit (READY entries of its parent) or its send row lets it be sent, plus its
 * parent; a prototype also keeps its own write end (for its apps) and holds its apps' ends;
 * main holds every child's. One documented exception: libunit closes an app's copy of its
 * prototype's write end after READY (nxt_unit_init), so apps do not hold it.
 */
function expectedPeers(r: SimRun, holder: number, type: string): number[] {
  const owner = appOf(r);
  const others = live(r).filter((p) => p.pid !== holder);
  // Main keeps its own write end too: every child inherits it (nxt_main_process_port_create).
  if (type === "main") return [holder, ...others.map((p) => p.pid)].sort();
  const t = typeIndex(type);
  const allowed = others.filter((p) => {
    const u = typeIndex(p.ptype);
    if (nxtProcKeepMatrix[t]![u] !== 1 && nxtProcSendMatrix[t]![u] !== 1) return false;
    // Prototypes and apps are per application: a process only meets its own app's.
    if ((p.ptype === "prototype" || p.ptype === "app") && (type === "prototype" || type === "app")) {
      return owner.get(p.pid) === owner.get(holder);
    }
    return true;
  });
  const ids = new Set(allowed.map((p) => p.pid));
  const mainPid = ofType(r, "main")[0]!.pid;
  ids.add(mainPid);
  if (type === "prototype") {
    ids.add(holder);
    for (const a of ofType(r, "app")) if (owner.get(a.pid) === owner.get(holder)) ids.add(a.pid);
  }
  if (type === "app") {
    for (const p of ofType(r, "prototype")) if (owner.get(p.pid) === owner.get(holder)) ids.delete(p.pid);
    ids.add(holder);
  }
  return [...ids].sort();
}

/** Every live process whose write-end holdings differ from what the matrices allow. */
function holdingsMismatches(r: SimRun): { pid: number; type: string; holds: number[]; expected: number[] }[] {
  const owners = ownSocks(r);
  const out = [];
  for (const p of live(r)) {
    const held = new Set<number>();
    for (const f of p.fds) {
      const owner = owners.get(f.sock);
      if (f.kind === "socket" && f.end === 1 && owner !== undefined) held.add(owner);
    }
    const holds = [...held].sort();
    const expected = expectedPeers(r, p.pid, p.ptype);
    if (holds.join() !== expected.join()) out.push({ pid: p.pid, type: p.ptype, holds, expected });
  }
  return out;
}

describe("port holdings follow the keep matrix", () => {
  for (const name of STEADY) {
    it.each(SEEDS_FEW)(`${name}, seed %i`, (seed) => {
      expect(holdingsMismatches(run(shipped(name), { seed }))).toEqual([]);
    });
  }

  // The check must be able to fail: on models that ignore a matrix it does.
  it.each(["keep-all", "send-all"])("catches the %s mutant", (mutant) => {
    const caught = STEADY.filter((name) => holdingsMismatches(run(shipped(name), { seed: 1, mutants: [mutant] })).length > 0);
    expect(caught.length).toBeGreaterThan(0);
  });
});
