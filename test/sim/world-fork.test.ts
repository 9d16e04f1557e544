// A world forked at a clean point (no process inside a handler) goes on exactly as the world
// it was copied from: for every shipped scenario, with and without faults, a run forked at
// several decisions and resumed from each fork gives the original run's trace, byte for
// byte, its schedule, and the same state digests at its decisions (what the exhaustive
// search hashes: sharing and holes included). A fork inside a handler is refused.

import { describe, expect, it } from "vitest";

import { listScenarios, scenarioByName } from "../../catalog/shipped-scenarios.ts";
import { resumeScenarioOnSim, runScenarioOnSim } from "../../harness/run-sim.ts";
import { digestWorld } from "../../sim/strategies/state-digest.ts";
import { SimProcess } from "../../sim/process.ts";
import { Sim } from "../../sim/sim.ts";
import { forkable, forkWorld } from "../../sim/world-fork.ts";
import type { World } from "../../sim/world.ts";

const FAULTS = { killAtStep: 0.002, sendLost: 0.01, sendFail: 0.01, cloneFail: 0.01, mapWriteFail: 0.01 };
const SEEDS = 4;
/** Decisions after a fork whose state digests are compared with the original's. */
const DIGESTED = 3;

describe("a forked world", () => {
  it("goes on as the original: same trace and schedule from every fork, every shipped scenario, with and without faults", () => {
    let resumed = 0;
    for (const scenario of listScenarios()) {
      for (let seed = 0; seed < SEEDS; seed++) {
        const options = { seed, ...(seed % 2 === 1 ? { faults: FAULTS } : {}) };
        const forks: { world: World; decision: number }[] = [];
        const digests = new Map<number, string>();
        let decision = 0;
        let next = 0;
        const original = runScenarioOnSim(scenario, {
          ...options,
          observer: {
            // Forks at the first clean decision after every 7: early, middle and late in the run.
            beforeChoice: (world) => {
              if (decision >= next && forkable(world)) {
                forks.push({ world: forkWorld(world), decision });
                next = decision + 7;
              }
              const last = forks[forks.length - 1];
              if (last !== undefined && decision < last.decision + DIGESTED) digests.set(decision, digestWorld(world).whole);
              decision++;
              return true;
            },
            atEnd: () => {},
          },
        });
        expect(forks.length).toBeGreaterThan(0);
        for (const fork of forks) {
          const resumedDigests: string[] = [];
          const observer = {
            beforeChoice: (world: World) => (resumedDigests.length < DIGESTED && resumedDigests.push(digestWorld(world).whole), true),
            atEnd: () => {},
          };
          const run = resumeScenarioOnSim(fork.world, { ...options, observer });
          const originals = [...digests].filter(([d]) => d >= fork.decision && d < fork.decision + DIGESTED).map(([, digest]) => digest);
          expect(resumedDigests).toEqual(originals);
          expect(run.result).toEqual(original.result);
          expect(run.sim.traceHash()).toBe(original.sim.traceHash());
          expect(run.sim.choices).toEqual(original.sim.choices);
          expect(run.sim.processes()).toEqual(original.sim.processes());
          resumed++;
        }
      }
    }
    console.log(`world fork: ${resumed} runs resumed from forks matched their originals`);
  }, 60_000);

  it("shares the model states until a handler runs, and nothing outside a state points into one", () => {
    let checked = 0;
    let sharedAfterResume = 0;
    for (const scenario of listScenarios()) {
      for (let seed = 0; seed < 2; seed++) {
        const options = { seed, ...(seed % 2 === 1 ? { faults: FAULTS } : {}) };
        runScenarioOnSim(scenario, {
          ...options,
          observer: {
            beforeChoice: (world) => {
              if (!forkable(world)) return true;
              const inStates = statesReach(world);
              for (const o of outsideStatesReach(world)) {
                if (inStates.has(o)) throw new Error(`${scenario.name} seed ${seed} step ${world.step}: an object of a model state is reachable from outside it`);
              }
              const copy = forkWorld(world);
              const before = new Map(world.allProcs.map((p) => [p.hostPid, p.state]));
              copy.allProcs.forEach((p, i) => {
                expect(p.state).toBe(world.allProcs[i]!.state);
                expect(p.stateShared && world.allProcs[i]!.stateShared).toBe(true);
              });
              // One step of the copy copies at most the state of the process it ran.
              const stepBefore = copy.step;
              expect(Sim.resumeAtChoice(copy, options).step()).toBe(true);
              expect(copy.step).toBe(stepBefore);
              const kept = copy.allProcs.filter((p) => before.has(p.hostPid));
              const own = kept.filter((p) => p.state !== before.get(p.hostPid));
              expect(own.length).toBeLessThanOrEqual(1);
              sharedAfterResume += kept.length - own.length;
              checked++;
              return true;
            },
            atEnd: () => {},
          },
        });
      }
    }
    expect(checked).toBeGreaterThan(50);
    expect(sharedAfterResume).toBeGreaterThan(checked);
  }, 60_000);

  it("is refused while a process is in the middle of a handler", () => {
    const r = scenarioByName("one-app-two-processes");
    if (!r.ok) throw new Error(r.error);
    let refused = 0;
    runScenarioOnSim(r.scenario, {
      seed: 1,
      observer: {
        beforeChoice: (world) => {
          if (!forkable(world)) {
            expect(() => forkWorld(world)).toThrow(/middle of a handler/);
            refused++;
          }
          return true;
        },
        atEnd: () => {},
      },
    });
    expect(refused).toBeGreaterThan(0);
  });
});

/** Every mutable object reachable from `root` without going through `stop` (frozen data is shared by design). */
function reach(root: unknown, stop: (holder: object, key: string) => boolean, into: Set<object>): Set<object> {
  const todo: unknown[] = [root];
  while (todo.length > 0) {
    const v = todo.pop();
    if (v === null || typeof v !== "object" || Object.isFrozen(v) || into.has(v)) continue;
    into.add(v);
    if (v instanceof Map) for (const [k, x] of v) todo.push(k, x);
    else if (v instanceof Set) for (const x of v) todo.push(x);
    else for (const key of Object.keys(v)) if (!stop(v, key)) todo.push((v as Record<string, unknown>)[key]);
  }
  return into;
}

function statesReach(world: World): Set<object> {
  const into = new Set<object>();
  for (const proc of world.allProcs) reach(proc.state, () => false, into);
  return into;
}

function outsideStatesReach(world: World): Set<object> {
  return reach(world, (holder, key) => holder instanceof SimProcess && key === "state", new Set<object>());
}
