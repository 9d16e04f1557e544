// The exhaustive search on its small scenario (one app, one process, pid isolation): it
// completes, proves the handshake-order properties, loses no state to its reductions, finds
// the violation a mutant puts in, and that counterexample replays. Coverage is counted.

import { describe, expect, it } from "vitest";

import type { Scenario } from "../../catalog/scenario.ts";
import { loadScenario } from "../../catalog/scenario-parse.ts";
import { scenarioByName } from "../../catalog/shipped-scenarios.ts";
import { transitionsOf, unionTransitions } from "../../harness/coverage.ts";
import { explore } from "../../harness/explore.ts";
import { exploreExhaustive } from "../../harness/exhaustive.ts";
import { runScenarioOnSim } from "../../harness/run-sim.ts";
import { checkRun } from "../../harness/checks.ts";
import { REPO } from "../cli/helpers.ts";
import { digestWorld, KERNEL_PART, readParts } from "../../sim/strategies/state-digest.ts";
import type { World } from "../../sim/world.ts";

function small(): Scenario {
  const r = loadScenario(`${REPO}/fixtures/exhaustive/one-app-pid-isolated.json`);
  if (!r.ok) throw new Error(r.error);
  return r.scenario;
}

describe("what an event may read (the other half of partial-order reduction's independence)", () => {
  it("is its process, parent, children, every socket end it reaches and the kernel part; a harness action reads everything", () => {
    const r = scenarioByName("boot-only");
    if (!r.ok) throw new Error(r.error);
    let seen: { world: World; keys: readonly string[] } | null = null;
    // The world at the last decision of a boot: main, controller and router are up and wired.
    runScenarioOnSim(r.scenario, { seed: 3, observer: { beforeChoice: (world, keys) => ((seen = { world, keys }), true), atEnd: () => {} } });
    const { world } = seen!;
    const digest = digestWorld(world);
    // boot-only's pids: main 100 clones discovery 101, then controller 102 and router 103.
    const proc = (pid: number) => world.allProcs.find((p) => p.hostPid === pid)!;
    const [main, controller, router] = [proc(100), proc(102), proc(103)];
    expect([controller.parent, router.parent]).toEqual([main, main]);
    const socks = (pid: number) => readParts(world, String(pid), digest).filter((p) => p.startsWith("sock"));
    const controllerReads = readParts(world, String(controller.hostPid), digest);
    expect(controllerReads).toEqual(expect.arrayContaining([String(controller.hostPid), String(main.hostPid), KERNEL_PART]));
    // The controller holds the router's port (a socket end), not the router itself.
    expect(controllerReads).not.toContain(String(router.hostPid));
    expect(socks(controller.hostPid).some((s) => socks(router.hostPid).includes(s))).toBe(true);
    expect(readParts(world, String(main.hostPid), digest)).toEqual(expect.arrayContaining([String(controller.hostPid), String(router.hostPid)]));
    expect(readParts(world, "nxtsim", digest)).toEqual([...digest.parts.keys()].filter((p) => p !== "time").sort());
  });
});

describe("exhaustive search of one-app-pid-isolated", () => {
  it("completes, proves the handshake properties, and sleep sets lose no state while saving runs", () => {
    const scenario = small();
    const withPor = exploreExhaustive({ scenario, maxPreemptions: null, timeSeconds: 120 });
    const withoutPor = exploreExhaustive({ scenario, maxPreemptions: null, timeSeconds: 120, por: false });
    for (const r of [withPor, withoutPor]) {
      expect(r.stoppedBy).toBe("done");
      expect(r.complete).toBe(true);
      expect(r.counterexample).toBeNull();
      expect(r.checks).toEqual(["handshake-order", "maps-before-credentials"]);
    }
    console.log(`exhaustive: ${withPor.stats.states} states, ${withPor.stats.schedules} schedules, ${withPor.stats.runs} runs (${withoutPor.stats.runs} without POR)`);
    // A whole boot has dozens of decisions: far more states than one schedule visits.
    expect(withPor.stats.states).toBeGreaterThan(4 * withPor.stats.maxDepth);
    expect(withPor.stats.states).toBe(withoutPor.stats.states);
    expect(withPor.stats.sleepPruned).toBeGreaterThan(0);
    expect(withPor.stats.runs).toBeLessThan(withoutPor.stats.runs);
    expect(withPor.transitions).toBeGreaterThan(0);
  }, 60_000);

  it("going on from copies of the world visits exactly the states and schedules of re-running every prefix, with fewer steps", () => {
    // A 40-step bound keeps it short and puts forks at the step budget's edge (a resumed step
    // must not be refused by the budget it passed before the fork).
    const scenario = small();
    const copies = exploreExhaustive({ scenario, maxPreemptions: null, maxSteps: 40, timeSeconds: 120 });
    const reruns = exploreExhaustive({ scenario, maxPreemptions: null, maxSteps: 40, timeSeconds: 120, snapshots: false });
    const { restored, snapshotsTaken, stepsRun, ...same } = copies.stats;
    const { restored: r0, snapshotsTaken: s0, stepsRun: steps0, ...same0 } = reruns.stats;
    expect([copies.complete, reruns.complete]).toEqual([true, true]);
    expect(same).toEqual(same0);
    expect(copies.transitions).toBe(reruns.transitions);
    expect([r0, s0]).toEqual([0, 0]);
    expect(restored).toBeGreaterThan(copies.stats.runs / 2);
    expect(snapshotsTaken).toBeGreaterThan(0);
    expect(stepsRun).toBeLessThan(steps0 / 2);
  }, 120_000);

  it("finds the creds-before-created mutant's violation, and the counterexample replays it", () => {
    const scenario = small();
    const r = exploreExhaustive({ scenario, mutants: ["creds-before-created"], timeSeconds: 60 });
    expect(r.stoppedBy).toBe("finding");
    expect(r.counterexample!.findings.map((f) => f.check)).toContain("handshake-order");
    const replayed = runScenarioOnSim(scenario, { seed: 0, mutants: ["creds-before-created"], replay: r.counterexample!.schedule });
    expect(checkRun({ scenario, ...replayed }).map((f) => f.check)).toContain("handshake-order");
  });

  it("searches a Unit version: at 1.35 a bounded search completes on 1.35's codes, and the mutant's counterexample replays at 1.35", () => {
    const scenario = small();
    const bounded = exploreExhaustive({ scenario, unit: "1.35", maxPreemptions: null, maxSteps: 40, timeSeconds: 120 });
    expect([bounded.complete, bounded.counterexample]).toEqual([true, null]);
    const r = exploreExhaustive({ scenario, unit: "1.35", mutants: ["creds-before-created"], timeSeconds: 60 });
    expect(r.stoppedBy).toBe("finding");
    const replayed = runScenarioOnSim(scenario, { seed: 0, unit: "1.35", mutants: ["creds-before-created"], replay: r.counterexample!.schedule });
    const sent = new Set(replayed.sim.trace.flatMap((e) => (e.kind === "send" ? [(e.msg as { type: number }).type] : [])));
    expect(sent).toContain(19);
    expect(sent).not.toContain(16);
    expect(checkRun({ scenario, ...replayed }).map((f) => f.check)).toContain("handshake-order");
  }, 120_000);

  it("stops on its time budget and says the search is incomplete", () => {
    let t = 0;
    const r = exploreExhaustive({ scenario: small(), timeSeconds: 1, now: () => (t += 400) });
    expect(r.stoppedBy).toBe("time");
    expect(r.complete).toBe(false);
  });
});

describe("exhaustive search of one-app-two-processes-pid-isolated", () => {
  it("with no preemption, whole runs (both app processes): completes, visits the unreduced search's states, and every tracked digest equals the whole walk", () => {
    const r = loadScenario(`${REPO}/fixtures/exhaustive/one-app-two-processes-pid-isolated.json`);
    if (!r.ok) throw new Error(r.error);
    // Sleep sets are not used under a preemption bound: with them this search met 1,665 of the
    // unreduced search's 1,753 states (sleepSets in sim/strategies/exhaustive.ts).
    const asked = exploreExhaustive({ scenario: r.scenario, maxPreemptions: 0, timeSeconds: 120, checkDigests: true });
    const unreduced = exploreExhaustive({ scenario: r.scenario, maxPreemptions: 0, timeSeconds: 120, por: false });
    for (const x of [asked, unreduced]) expect([x.complete, x.counterexample, x.stats.stepBounded]).toEqual([true, null, 0]);
    console.log(`exhaustive, two processes, no preemption: ${asked.stats.states} states, ${asked.stats.runs} runs`);
    expect(asked.bounds.por).toBe(false);
    expect(asked.stats.states).toBe(unreduced.stats.states);
    // Whole boots: the second application process comes up past a hundred decisions.
    expect(asked.stats.maxDepth).toBeGreaterThan(100);
    expect(asked.stats.updatedDigests).toBeGreaterThan(asked.stats.wholeDigests * 100);
  }, 120_000);
});

describe("coverage", () => {
  it("counts (process type, handshake state, message type) transitions, and explore unions them over runs", () => {
    const r = scenarioByName("one-app-two-processes");
    if (!r.ok) throw new Error(r.error);
    const run = runScenarioOnSim(r.scenario, { seed: 1 });
    const ts = transitionsOf(run.sim.trace);
    expect(ts).toContain("main|-|PROCESS_READY");
    expect(ts.every((t) => t.split("|").length === 3)).toBe(true);
    expect(unionTransitions(ts, ["x|y|z"])).toEqual([...ts, "x|y|z"].sort());
    const result = explore({ scenarios: [r.scenario], runs: 6 });
    expect(result.transitions.length).toBeGreaterThanOrEqual(ts.length - 2);
    expect(new Set(result.transitions).size).toBe(result.transitions.length);
  });
});
