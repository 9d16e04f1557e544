// Unit's per-application cgroup (upstream 867a839f, lifecycle/cgroup.ts) on the simulated
// kernel: main puts the prototype in the cgroup the configuration names, its apps inherit it,
// and main removes it when it reaps the prototype; c8d9106a has none of it.

import { describe, expect, it } from "vitest";

import { runScenarioOnSim, type SimRun } from "../../harness/run-sim.ts";
import { simRunView } from "../../harness/run-view.ts";
import { cgroupsRemoved } from "../../properties/checks/cgroups.ts";
import { CgroupTree } from "../../sim/cgroups.ts";
import type { SimProcess } from "../../sim/process.ts";
import { appIsolation, cgroupScenario } from "./cgroup-scenario.ts";

const noShutdown = (json: Record<string, unknown>): void => {
  json["actions"] = [];
};

function cgroupsByType(run: SimRun): Map<string, Set<string>> {
  const out = new Map<string, Set<string>>();
  for (const f of run.sim.processes().filter((p) => p.status === "running")) {
    const set = out.get(f.ptype) ?? new Set<string>();
    set.add(run.sim.cgroupOf(f.pid)!);
    out.set(f.ptype, set);
  }
  return out;
}

function fileCalls(run: SimRun): string[] {
  return run.sim.trace.flatMap((e) =>
    e.kind === "syscall" && ["mkdir", "rmdir", "writeFile"].includes(e.call) ? [`${e.call} ${(e.args as { path: string }).path} ${String(e.ret)}`] : [],
  );
}

describe("867a839f on the simulated kernel", () => {
  it("the prototype and its apps run in the cgroup Unit names (relative: below main's, which is the root), the rest stay in main's", () => {
    const run = runScenarioOnSim(cgroupScenario(noShutdown), { seed: 1, unit: "1.35" });
    const by = cgroupsByType(run);
    expect([...by.get("prototype")!]).toEqual(["/unit/a"]);
    expect([...by.get("app")!]).toEqual(["/unit/a"]);
    for (const t of ["main", "controller", "router"]) expect([...by.get(t)!]).toEqual(["/"]);
    expect(run.sim.cgroupDirs()).toEqual(["/unit", "/unit/a"]);
    // Unit's order: mkdir of every prefix (EEXIST is fine), then the prototype's pid into cgroup.procs.
    expect(fileCalls(run)).toEqual([
      "mkdir /sys EEXIST",
      "mkdir /sys/fs EEXIST",
      "mkdir /sys/fs/cgroup EEXIST",
      "mkdir /sys/fs/cgroup/ EEXIST",
      "mkdir /sys/fs/cgroup//unit null",
      "mkdir /sys/fs/cgroup//unit/a null",
      `writeFile /sys/fs/cgroup//unit/a/cgroup.procs null`,
    ]);
  });

  it("an absolute path is taken from the cgroup2 mount, not from main's cgroup", () => {
    const run = runScenarioOnSim(cgroupScenario((j) => { noShutdown(j); appIsolation(j)["cgroup"] = { path: "/srv/a" }; }), { seed: 2, unit: "1.35" });
    expect(run.sim.cgroupDirs()).toEqual(["/srv", "/srv/a"]);
    expect([...cgroupsByType(run).get("app")!]).toEqual(["/srv/a"]);
  });

  it("at shutdown main removes the cgroup when it reaps the prototype (rmdir up past main's own cgroup, results ignored)", () => {
    const run = runScenarioOnSim(cgroupScenario(), { seed: 1, unit: "1.35" });
    expect(run.sim.cgroupDirs()).toEqual([]);
    const rmdirs = fileCalls(run).filter((c) => c.startsWith("rmdir"));
    // cgroot is "/sys/fs/cgroup//": "/sys/fs/cgroup/" differs from it, so Unit goes on to /sys.
    expect(rmdirs).toEqual([
      "rmdir /sys/fs/cgroup//unit/a null",
      "rmdir /sys/fs/cgroup//unit null",
      "rmdir /sys/fs/cgroup/ EBUSY",
      "rmdir /sys/fs/cgroup EBUSY",
      "rmdir /sys/fs EROFS",
      "rmdir /sys EROFS",
    ]);
    expect(cgroupsRemoved.check(simRunView(run, cgroupScenario()))).toEqual([]);
  });

  it("Unit's race: main removes a killed prototype's cgroup when it reaps it, before its apps (still in it) got their QUIT: rmdir fails EBUSY", () => {
    const killProto = (json: Record<string, unknown>): void => {
      (json["actions"] as unknown[]).unshift({ at: 1000, do: "signal", target: { role: "prototype", app: "a" }, signal: "SIGKILL" });
    };
    const run = runScenarioOnSim(cgroupScenario(killProto), { seed: 1, unit: "1.35" });
    const busy = run.sim.trace.find((e) => e.kind === "syscall" && e.call === "rmdir" && e.ret === "EBUSY");
    if (busy?.kind !== "syscall") throw new Error("no rmdir failed EBUSY");
    const appsExit = run.sim.trace.filter((e) => e.kind === "exit" && e.ptype === "app" && e.t >= 1000);
    expect((busy.args as { path: string }).path).toBe("/sys/fs/cgroup//unit/a");
    expect(appsExit.length).toBeGreaterThan(0);
    for (const e of appsExit) expect(e.step).toBeGreaterThan(busy.step);
  });

  it("when no later prototype's cleanup removes it, the cgroup outlives main: cgroups-removed fails (a run explore found)", () => {
    const scenario = cgroupScenario();
    const faults = { cloneFail: 0, sendFail: 0, sendLost: 0, killAtStep: 0.01, mapWriteFail: 0.01 };
    const run = runScenarioOnSim(scenario, { seed: 2355700381, faults, unit: "1.35" });
    expect(cgroupsRemoved.check(simRunView(run, scenario)).map((v) => v.reason)).toEqual([
      "cgroup /sys/fs/cgroup/unit that main made is still there when main 100 exits",
      "cgroup /sys/fs/cgroup/unit/a that main made is still there when main 100 exits",
    ]);
    expect(fileCalls(run)).toContain("rmdir /sys/fs/cgroup//unit/a EBUSY");
  });

  it("the mutant cgroup-no-cleanup leaves the cgroup at a clean shutdown, and cgroups-removed says so", () => {
    const run = runScenarioOnSim(cgroupScenario(), { seed: 1, unit: "1.35", mutants: ["cgroup-no-cleanup"] });
    expect(run.sim.cgroupDirs()).toEqual(["/unit", "/unit/a"]);
    expect(cgroupsRemoved.check(simRunView(run, cgroupScenario())).map((v) => v.reason)).toEqual([
      "cgroup /sys/fs/cgroup/unit that main made is still there when main 100 exits",
      "cgroup /sys/fs/cgroup/unit/a that main made is still there when main 100 exits",
    ]);
  });
});

describe("the sim's cgroup tree behaves as Linux's", () => {
  const proc = (cgroup: string, status: SimProcess["status"]): SimProcess => ({ cgroup, status }) as SimProcess;

  it("mkdir needs the parent; rmdir fails EBUSY with a child cgroup or a live or exiting task, not with a zombie", () => {
    const t = new CgroupTree();
    expect(t.mkdir("/sys/fs/cgroup/a/b")).toBe("ENOENT");
    expect(t.mkdir("/sys/fs/cgroup/a")).toBeUndefined();
    expect(t.mkdir("/sys/fs/cgroup//a")).toBe("EEXIST");
    expect(t.mkdir("/sys/fs/cgroup/a/b")).toBeUndefined();
    expect(t.mkdir("/etc/x")).toBe("EROFS");
    expect(t.rmdir("/sys/fs/cgroup/a", [])).toBe("EBUSY");
    expect(t.rmdir("/sys/fs/cgroup/a/b", [proc("/a/b", "running")])).toBe("EBUSY");
    expect(t.rmdir("/sys/fs/cgroup/a/b", [proc("/a/b", "exiting")])).toBe("EBUSY");
    expect(t.rmdir("/sys/fs/cgroup/a/b", [proc("/a/b", "zombie")])).toBeUndefined();
    expect(t.rmdir("/sys/fs/cgroup/a/b", [])).toBe("ENOENT");
    expect(t.rmdir("/sys/fs/cgroup/a", [])).toBeUndefined();
    expect(t.dirs).toEqual([]);
  });

  it("a pid written to cgroup.procs moves that process; an exiting one is left where it is; a missing cgroup is ENOENT", () => {
    const t = new CgroupTree();
    t.mkdir("/sys/fs/cgroup/a");
    const live = proc("/", "running");
    const exiting = proc("/", "exiting");
    const find = (pid: number): SimProcess | undefined => (pid === 7 ? live : pid === 8 ? exiting : undefined);
    expect(t.writeProcs("/sys/fs/cgroup/a/cgroup.procs", "7\n", find)).toBeUndefined();
    expect(live.cgroup).toBe("/a");
    expect(t.writeProcs("/sys/fs/cgroup/a/cgroup.procs", "8\n", find)).toBeUndefined();
    expect(exiting.cgroup).toBe("/");
    expect(t.writeProcs("/sys/fs/cgroup/a/cgroup.procs", "9\n", find)).toBe("ESRCH");
    expect(t.writeProcs("/sys/fs/cgroup/b/cgroup.procs", "7\n", find)).toBe("ENOENT");
  });
});

describe("c8d9106a has no cgroup support", () => {
  it("its validation rejects the key, as before", () => {
    expect(() => cgroupScenario(() => {}, "c8d9106a")).toThrow(/isolation\/cgroup: Unknown parameter "cgroup"/);
  });
});
