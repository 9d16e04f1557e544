// Acceptance: pid isolation (the prototype is pid 1, its apps 2, 3, ...; main learns host
// pids through SCM_CREDENTIALS in WHOAMI; a replacement gets a new pid) and the user
// namespace handshake (maps written before credentials, each child's handshake in order).

import { describe, expect, it } from "vitest";
import { RAW } from "../../lifecycle/port-messages.ts";
import type { TraceEvent } from "../../lifecycle/trace.ts";
import { derived, live, ofType, run, SEEDS_FEW, shipped, stateOf } from "./helpers.ts";
import { lvlhshEntries } from "../../lifecycle/lvlhsh-each.ts";

function handshakeSteps(trace: readonly TraceEvent[], pid: number): string[] {
  return trace.flatMap((e) => (e.pid === pid && e.kind === "model" && e.event.what === "handshake" ? [e.event.step] : []));
}

describe("pid isolation", () => {
  it.each(SEEDS_FEW)("prototype is pid 1 and its apps 2, 3 in its namespace (seed %i)", (seed) => {
    const r = run(shipped("one-app-isolated"), { seed });
    const [proto] = ofType(r, "prototype");
    expect(proto!.nspids.at(-1)).toBe(1);
    const apps = ofType(r, "app");
    expect(apps.map((a) => a.nspids.at(-1)).sort()).toEqual([2, 3]);
    // Each app's host pid differs from its namespace pid, and main's table holds the host pids.
    const main = stateOf(r, r.mainPid);
    for (const a of apps) {
      expect(a.nspids[0]).toBe(a.pid);
      expect(lvlhshEntries(main.rt.processes).map((e) => e.key)).toContain(a.pid);
    }
  });

  it.each(SEEDS_FEW)("main learns each app's host pid from SCM_CREDENTIALS of its WHOAMI (seed %i)", (seed) => {
    const r = run(shipped("one-app-isolated"), { seed });
    const whoamis = r.sim.trace.filter(
      (e) => e.kind === "recv" && e.pid === r.mainPid && (e.msg as { type: number }).type === RAW.WHOAMI,
    );
    const isolated = live(r).filter((p) => p.ptype === "app" || p.ptype === "prototype");
    expect(whoamis.map((e) => (e.kind === "recv" ? e.credPid : -1)).sort()).toEqual(isolated.map((p) => p.pid).sort());
    for (const e of whoamis) {
      if (e.kind !== "recv") continue;
      // The child itself only knows its namespace pid when it asks.
      expect((e.msg as { pid: number }).pid).not.toBe(e.credPid);
    }
    // Each isolated child adopts the answer: its cached nxt_pid becomes the host pid.
    for (const p of isolated) expect(stateOf(r, p.pid).pid).toBe(p.pid);
  });

  it.each(SEEDS_FEW)("a replacement after SIGKILL gets a new pid (seed %i)", (seed) => {
    const scenario = derived("one-app-isolated", (json) => {
      json["actions"] = [{ at: 1000, do: "signal", target: { role: "app", app: "a", index: 0 }, signal: "SIGKILL" }];
    });
    const r = run(scenario, { seed });
    const all = r.sim.processes().filter((p) => p.ptype === "app");
    const killed = all.filter((p) => p.exit?.signal === 9);
    expect(killed).toHaveLength(1);
    const alive = ofType(r, "app");
    expect(alive).toHaveLength(2);
    expect(alive.map((p) => p.pid)).not.toContain(killed[0]!.pid);
    expect(alive.map((p) => p.nspids.at(-1))).not.toContain(killed[0]!.nspids.at(-1));
  });
});

describe("user namespace handshake", () => {
  it.each(SEEDS_FEW)("maps are written uid_map, setgroups, gid_map before the child sets ids (seed %i)", (seed) => {
    const r = run(shipped("one-app-isolated"), { seed });
    const [proto] = ofType(r, "prototype");
    const writes = r.sim.trace.flatMap((e, i) =>
      e.kind === "syscall" && e.call === "writeProcFile" && e.pid === r.mainPid ? [{ i, file: (e.args as { file: string }).file }] : [],
    );
    expect(writes.map((w) => w.file)).toEqual(["uid_map", "setgroups", "gid_map"]);
    const firstSetid = r.sim.trace.findIndex(
      (e) => e.kind === "syscall" && e.pid === proto!.pid && ["setgid", "setuid", "setgroups"].includes(e.call),
    );
    expect(firstSetid).toBeGreaterThan(writes.at(-1)!.i);
    // The ids took effect: nobody (65534) inside is 500000 + 65534 on the host.
    expect(proto!.uid).toBe(565534);
    expect(proto!.gid).toBe(565534);
  });

  it.each(SEEDS_FEW)("each child's handshake follows the reference order (seed %i)", (seed) => {
    const r = run(shipped("one-app-isolated"), { seed });
    const [proto] = ofType(r, "prototype");
    expect(handshakeSteps(r.sim.trace, proto!.pid)).toEqual([
      "child-fixup",
      "whoami-sent",
      "whoami-ok",
      "created-sent",
      "created-ok",
      "creds-applied",
      "ready-sent",
      "start",
    ]);
    for (const app of ofType(r, "app")) {
      expect(handshakeSteps(r.sim.trace, app.pid)).toEqual(["child-fixup", "whoami-sent", "whoami-ok", "start", "ready-sent"]);
    }
    for (const type of ["controller", "router"]) {
      const [p] = ofType(r, type);
      expect(handshakeSteps(r.sim.trace, p!.pid)).toEqual(["child-fixup", "creds-applied", "ready-sent", "start"]);
    }
  });

  it("without pid isolation a prototype skips WHOAMI but its apps do not", () => {
    const r = run(shipped("one-app-two-processes"));
    const [proto] = ofType(r, "prototype");
    const steps = handshakeSteps(r.sim.trace, proto!.pid);
    expect(steps).not.toContain("whoami-sent");
    expect(steps.indexOf("created-sent")).toBeLessThan(steps.indexOf("ready-sent"));
    for (const app of ofType(r, "app")) expect(handshakeSteps(r.sim.trace, app.pid)).toContain("whoami-sent");
  });
});
