// Wall-clock budgets (harness/wall-budget.ts): --time ends the run in progress, a run past its
// own budget is counted as cut and never judged, and on workers the runs counted stay the
// shard's first ones. No timed assertion: the clock is a counter the test owns, which
// advances each time it is read (the simulator reads it every DEADLINE_EVERY steps).

import { describe, expect, it } from "vitest";

import type { Scenario } from "../../catalog/scenario.ts";
import { parseScenario } from "../../catalog/scenario-parse.ts";
import { scenarioByName } from "../../catalog/shipped-scenarios.ts";
import { explore } from "../../harness/explore.ts";
import { emptyTally, mergeTallies, tallyOf, type RunOutcome } from "../../harness/tally.ts";
import { unbrokenTally } from "../../harness/workers.ts";
import { runMain } from "../cli/helpers.ts";
import { DEADLINE_EVERY } from "../../sim/sim-options.ts";

function shipped(name: string): Scenario {
  const r = scenarioByName(name);
  if (!r.ok) throw new Error(r.error);
  return r.scenario;
}

/** A clock of 1 ms per reading. */
function counterClock(): { now: () => number; readings: () => number } {
  let t = 0;
  return { now: () => t++, readings: () => t };
}

const scenario = shipped("kill-restart-app");

/** About a thousand steps a run: a few dozen readings of the clock. */
const long = parseScenario(
  { name: "forty", config: { listeners: { "*:8080": { pass: "applications/a" } }, applications: { a: { type: "python", module: "wsgi", processes: 40, user: "nobody" } } } },
  "forty",
);
if (!long.ok) throw new Error(long.error);

describe("--time", () => {
  const scenario = long.scenario;
  it("cuts the run in progress when the time is up, and does not count it", () => {
    const full = explore({ scenarios: [scenario], runs: 1, seed: 3 });
    const stepsOfRun0 = full.steps;
    // The time is up about halfway through run 0, measured in the simulator's readings.
    const halfway = Math.floor(stepsOfRun0 / DEADLINE_EVERY / 2);
    expect(halfway).toBeGreaterThan(2);
    const clock = counterClock();
    const r = explore({ scenarios: [scenario], timeSeconds: halfway / 1000, seed: 3, now: clock.now });
    expect(r.stoppedBy).toBe("time");
    expect(r.runs).toBe(0);
    // Stopped within one reading of the end: the run did not go on to its last step.
    expect(clock.readings()).toBeLessThanOrEqual(halfway + 3);
  });

  it("counts the runs that ended before the time was up, whole", () => {
    const clock = counterClock();
    const seen: RunOutcome[] = [];
    const r = explore({ scenarios: [scenario], timeSeconds: 0.1, seed: 3, now: clock.now, onRun: (o) => seen.push(o) });
    expect(r.stoppedBy).toBe("time");
    expect(r.runs).toBeGreaterThan(0);
    expect(r.runs).toBe(seen.length);
    const whole = explore({ scenarios: [scenario], runs: r.runs, seed: 3 });
    expect(r.steps).toBe(whole.steps);
    expect(r.distinct).toEqual(whole.distinct);
  });
});

describe("a run's own wall-clock budget", () => {
  // 60 steps cannot reach quiescence: every judged run fails `terminates`.
  const failing = { scenarios: [scenario], runs: 3, seed: 3, maxSteps: 60 };

  it("a run past it is counted as cut, with a replay line, and none of its failures count", () => {
    const judged = explore(failing);
    expect(judged.failedRuns).toBe(3);
    expect(judged.budgetRuns).toBe(0);

    const clock = counterClock();
    const cut = explore({ ...failing, runSeconds: 0.001, now: clock.now });
    expect(cut.runs).toBe(3);
    expect(cut.budgetRuns).toBe(3);
    expect(cut.failures).toBe(0);
    expect(cut.distinct).toEqual([]);
    expect(cut.stoppedBy).toBe("runs");
    expect(cut.firstBudgetRun).toMatchObject({ run: 0, replay: judged.distinct[0]!.replay });
  });

  it("replay of a run past it has no verdict: one line, exit 1", async () => {
    const r = await runMain(["replay", "1", "--scenario", "kill-restart-app", "--run-time", "0.000001"]);
    expect(r.out).toBe("");
    expect(r.err).toMatch(/^nxtsim: the run went past its wall-clock budget of 0.000001 s; a run cut by the clock is not deterministic, so it has no verdict \(--run-time SECONDS allows more\)\n$/);
    expect(r.code).toBe(1);
  });
});

describe("workers on a time budget", () => {
  const refs = ["s"];
  const outcome = (number: number): RunOutcome => ({ number, scenario: "s", seed: number, faults: {} as RunOutcome["faults"], steps: 10, events: 1, failures: [], replay: "", transitions: [], overBudget: false });
  const chunk = (from: number, to: number) => {
    let tally = emptyTally(refs);
    for (let j = from; j < to; j++) tally = mergeTallies(tally, tallyOf(outcome(j), refs));
    return { to, tally };
  };

  it("count the unbroken runs from 0: up to a chunk cut short, or a chunk not finished", () => {
    const empty = emptyTally(refs);
    // 0-8 whole, 8-16 cut at 11, 16-24 whole: runs 0..10.
    expect(unbrokenTally(new Map([[0, chunk(0, 8)], [8, chunk(8, 11)], [16, chunk(16, 24)]]), empty).runs).toBe(11);
    // 0-8 whole, 8-16 still running (terminated), 16-24 whole: runs 0..7.
    expect(unbrokenTally(new Map([[0, chunk(0, 8)], [16, chunk(16, 24)]]), empty).runs).toBe(8);
    // The first chunk cut before its first run ended: nothing.
    expect(unbrokenTally(new Map([[0, chunk(0, 0)], [8, chunk(8, 16)]]), empty).runs).toBe(0);
  });
});
