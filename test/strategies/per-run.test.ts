// The per-run strategies: same seed and parameters give the same run; a run made by any of
// them replays from its schedule and from seed + strategy (as explore prints it), and shrinks.

import { describe, expect, it } from "vitest";

import type { Scenario } from "../../catalog/scenario.ts";
import { parseScenario } from "../../catalog/scenario-parse.ts";
import { scenarioByName } from "../../catalog/shipped-scenarios.ts";
import { runOnce } from "../../harness/explore-run.ts";
import { drawnFaultRates, faultRatesForSeed, runSeed } from "../../harness/explore-seeds.ts";
import { replayCommand } from "../../harness/replay-command.ts";
import { runScenarioOnSim } from "../../harness/run-sim.ts";
import { checkRun } from "../../harness/checks.ts";
import { shrinkRun } from "../../properties/shrink.ts";
import type { Json } from "../../lifecycle/kernel.ts";
import { Prng } from "../../sim/index.ts";
import { PctPolicy, STARVED_WEIGHT, swarmConfig, SwarmPolicy, type RunStrategy } from "../../sim/strategies/index.ts";

function shipped(name: string): Scenario {
  const r = scenarioByName(name);
  if (!r.ok) throw new Error(r.error);
  return r.scenario;
}

const PCT: RunStrategy = { name: "pct", depth: 3, steps: 50 };
const STRATEGIES: readonly RunStrategy[] = [{ name: "random" }, { name: "swarm" }, PCT];
const SCENARIO = shipped("one-app-two-processes");

function run(strategy: RunStrategy, seed: number, scenario = SCENARIO, mutants: string[] = []) {
  return runOnce(scenario, { seed, faults: drawnFaultRates(strategy, seed), strategy, mutants });
}

describe.each(STRATEGIES.map((s) => [s.name, s] as const))("%s", (_name, strategy) => {
  it("gives the same trace and schedule for the same seed and parameters, other runs for other seeds", () => {
    const hashes = new Set<string>();
    for (let i = 0; i < 12; i++) {
      const seed = runSeed(7, i);
      const a = run(strategy, seed);
      const b = run(strategy, seed);
      expect(b.sim.traceJsonl()).toBe(a.sim.traceJsonl());
      expect(b.sim.choices).toEqual(a.sim.choices);
      hashes.add(a.sim.traceHash());
    }
    expect(hashes.size).toBeGreaterThan(6);
  });

  it("replays from the recorded schedule alone", () => {
    for (const i of [0, 1, 2]) {
      const seed = runSeed(3, i);
      const original = run(strategy, seed);
      const replayed = runScenarioOnSim(SCENARIO, { seed: "unrelated", faults: drawnFaultRates(strategy, seed), replay: original.sim.choices });
      expect(replayed.sim.traceHash()).toBe(original.sim.traceHash());
    }
  });
});

describe("random", () => {
  it("is the uniform chooser of before: the same run as no strategy at all, explore's fault rates", () => {
    for (const i of [0, 1, 2, 3]) {
      const seed = runSeed(1, i);
      const plain = runScenarioOnSim(SCENARIO, { seed, faults: faultRatesForSeed(seed) });
      expect(run({ name: "random" }, seed).sim.traceHash()).toBe(plain.sim.traceHash());
    }
    expect(replayCommand({ seed: 5, scenario: "boot-only", faults: faultRatesForSeed(5), fixes: [], mutants: [] })).not.toContain("--strategy");
  });
});

describe("pct", () => {
  it("runs the highest-priority process whenever it can (depth 1: no change point)", () => {
    const policy = new PctPolicy(1, { depth: 1, steps: 50 });
    const rng = new Prng(1);
    const picks = Array.from({ length: 20 }, () => ["100:work", "101:readable:4", "102:work"][policy.choose(3, "step", rng, ["100:work", "101:readable:4", "102:work"])]);
    expect(new Set(picks).size).toBe(1);
  });

  it("drops the running process below the others at its change point, once", () => {
    // depth 2: one change point among the first 6 decisions; with the same two processes
    // always runnable, the pick switches at most once, and never back.
    let switched = 0;
    for (let seed = 1; seed <= 20; seed++) {
      const policy = new PctPolicy(seed, { depth: 2, steps: 6 });
      const rng = new Prng(seed);
      const picks = Array.from({ length: 6 }, () => policy.choose(2, "step", rng, ["100:work", "101:work"]));
      const switches = picks.slice(1).filter((p, i) => p !== picks[i]).length;
      expect(switches).toBeLessThanOrEqual(1);
      switched += switches;
    }
    expect(switched).toBeGreaterThan(0);
  });

  it("prints a replay command with its parameters, and the command's run is the explored one", () => {
    const seed = runSeed(1, 4);
    const faults = drawnFaultRates(PCT, seed);
    const cmd = replayCommand({ seed, scenario: "one-app-two-processes", faults, strategy: PCT, fixes: [], mutants: [] });
    expect(cmd).toContain("--strategy pct --pct-depth 3 --pct-steps 50");
    expect(run(PCT, seed).sim.traceHash()).not.toBe(run({ name: "random" }, seed).sim.traceHash());
  });

  it("a PCT run that fails shrinks to a run that fails the same check, and its schedule replays it", () => {
    const scenario = shipped("boot-only");
    const check = "new-port-by-send-matrix";
    const mutants = ["send-all"];
    const seed = [0, 1, 2, 3, 4, 5].map((i) => runSeed(11, i)).find((s) => checkRun({ scenario, ...run(PCT, s, scenario, mutants) }).some((f) => f.check === check));
    expect(seed).toBeDefined();
    const faults = drawnFaultRates(PCT, seed!);
    const shrunk = shrinkRun({ scenario: scenario as unknown as Json, seed: seed!, faults, strategy: PCT, fixes: [], mutants, check });
    expect(shrunk.violation.check).toBe(check);
    const parsed = parseScenario(shrunk.scenario, "shrunk");
    if (!parsed.ok) throw new Error(parsed.error);
    const replayed = runScenarioOnSim(parsed.scenario, { seed: 0, faults, mutants, replay: shrunk.schedule });
    expect(checkRun({ scenario: parsed.scenario, ...replayed }).map((f) => f.check)).toContain(check);
  }, 30_000);
});

describe("swarm", () => {
  it("switches whole fault kinds off per run, with every count of kinds on about equally often", () => {
    const counts = [0, 0, 0, 0, 0];
    for (let seed = 0; seed < 500; seed++) {
      const c = swarmConfig(seed);
      expect(c.rates.sendLost).toBe(0);
      counts[Object.values(c.rates).filter((r) => r > 0).length]!++;
      expect(swarmConfig(seed)).toEqual(c);
    }
    for (const n of counts) expect(n).toBeGreaterThan(60);
  });

  it("starves the event kinds it drew: they are picked with weight 1/16", () => {
    const policy = new SwarmPolicy({ rates: swarmConfig(0).rates, starved: ["signal"] });
    const rng = new Prng(9);
    let signals = 0;
    for (let i = 0; i < 4000; i++) if (policy.choose(2, "step", rng, ["100:signal:17", "101:work"]) === 0) signals++;
    const expected = 4000 * (STARVED_WEIGHT / (1 + STARVED_WEIGHT));
    expect(signals).toBeGreaterThan(expected * 0.7);
    expect(signals).toBeLessThan(expected * 1.3);
  });
});
