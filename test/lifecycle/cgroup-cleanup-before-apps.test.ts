// The repair cgroup-cleanup-before-apps (lifecycle/repairs-cgroup.ts) of Unit 1.35's cgroup
// race: main removes a prototype's cgroup when it reaps the prototype, so a prototype that
// dies before its apps leaves the rmdir failing EBUSY. With the repair main adopts the apps
// and removes the cgroup once they are gone; without a cgroup it changes nothing.

import { describe, expect, it } from "vitest";

import { listScenarios } from "../../catalog/shipped-scenarios.ts";
import { explore } from "../../harness/explore.ts";
import { failuresOf } from "../../harness/fix-replay.ts";
import { runScenarioOnSim, type SimRun } from "../../harness/run-sim.ts";
import { simRunView } from "../../harness/run-view.ts";
import type { RunOutcome } from "../../harness/tally.ts";
import { cgroupsRemoved } from "../../properties/checks/cgroups.ts";
import { cgroupScenario } from "./cgroup-scenario.ts";

const FIX = "cgroup-cleanup-before-apps";
/** The run explore found (test/lifecycle/cgroup.test.ts): the prototype is killed while its app runs. */
const RACE = { seed: 2355700381, faults: { cloneFail: 0, sendFail: 0, sendLost: 0, killAtStep: 0.01, mapWriteFail: 0.01 }, unit: "1.35" };

function calls(run: SimRun, names: readonly string[]): string[] {
  return run.sim.trace.flatMap((e) => {
    if (e.kind !== "syscall" || e.pid !== 100 || !names.includes(e.call)) return [];
    const path = (e.args as { path?: string }).path;
    return [[e.call, ...(path === undefined ? [] : [path]), String(e.ret)].join(" ")];
  });
}

describe("cgroup-cleanup-before-apps", () => {
  it("the run explore found: main adopts the killed prototype's app and, once it reaped it, removes the cgroup the first rmdir left", () => {
    const scenario = cgroupScenario();
    const unrepaired = runScenarioOnSim(scenario, RACE);
    expect(cgroupsRemoved.check(simRunView(unrepaired, scenario))).toHaveLength(2);
    const run = runScenarioOnSim(scenario, { ...RACE, fixes: [FIX] });
    const made = calls(run, ["prctlChildSubreaper", "rmdir"]);
    // Main becomes a subreaper when it puts the prototype in its cgroup; at the reap the rmdir fails EBUSY as in Unit ...
    expect(made[0]).toBe("prctlChildSubreaper null");
    expect(made.slice(1, 3)).toEqual(["rmdir /sys/fs/cgroup//unit/a EBUSY", "rmdir /sys/fs/cgroup//unit EBUSY"]);
    // ... and after main reaped the adopted app, the cleanup again removes the cgroup and its parent.
    const appReaped = run.sim.trace.findIndex((e) => e.kind === "reap" && e.pid === 100 && e.child === 105);
    expect(appReaped).toBeGreaterThan(-1);
    const again = run.sim.trace.slice(appReaped).flatMap((e) => (e.kind === "syscall" && e.call === "rmdir" ? [`${(e.args as { path: string }).path} ${String(e.ret)}`] : []));
    expect(again.slice(0, 2)).toEqual(["/sys/fs/cgroup//unit/a null", "/sys/fs/cgroup//unit null"]);
    expect(run.sim.cgroupDirs()).toEqual([]);
    expect(failuresOf(scenario, { ...RACE, fixes: [FIX] })).toEqual([]);
  });

  it("without a cgroup it changes nothing: every shipped scenario's runs are byte-identical with it on, at c8d9106a and at 1.35", () => {
    const faults = { killAtStep: 0.005, sendFail: 0.01, cloneFail: 0.01, mapWriteFail: 0.01 };
    let compared = 0;
    for (const scenario of listScenarios()) {
      for (const unit of ["c8d9106a", "1.35"]) {
        for (const seed of [1, 2, 3]) {
          const o = { seed, faults, unit };
          expect(runScenarioOnSim(scenario, { ...o, fixes: [FIX] }).sim.traceHash(), `${scenario.name} ${unit} seed ${seed}`).toBe(runScenarioOnSim(scenario, o).sim.traceHash());
          compared++;
        }
      }
    }
    expect(compared).toBeGreaterThan(30);
  });

  it("300 runs of explore at 1.35 (base seed 1): 0 new; every cgroups-removed failure has a known cause, and its run replayed with the repair has none", () => {
    const scenario = cgroupScenario();
    const outcomes: RunOutcome[] = [];
    explore({ scenarios: [scenario], runs: 300, seed: 1, unit: "1.35", onRun: (o) => outcomes.push(o) });
    expect(outcomes).toHaveLength(300);
    expect(outcomes.flatMap((o) => o.failures).filter((f) => f.cause === null)).toEqual([]);
    const racing = outcomes.filter((o) => o.failures.some((f) => f.check === "cgroups-removed"));
    expect(racing.length).toBeGreaterThan(5);
    for (const o of racing) {
      const repaired = failuresOf(scenario, { seed: o.seed, faults: o.faults, unit: "1.35", fixes: [FIX] });
      expect(repaired.filter((f) => f.check === "cgroups-removed"), `run ${o.number}`).toEqual([]);
    }
    // The repair is the cause explore names for at least the runs no other switch moves away.
    expect(racing.filter((o) => o.failures.some((f) => f.check === "cgroups-removed" && f.cause === FIX)).length).toBeGreaterThan(0);
  });
});
