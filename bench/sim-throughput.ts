// Simulated kernel throughput: full-scenario runs on one core, against a plain heap event loop
// doing the same number of events and fast-check's scheduler on an equivalent promise workload.

import type { Scenario } from "../fixtures/scenario.ts";
import { runScenarioOnSim } from "../harness/run-sim.ts";
import { fcSchedulerRun } from "./fc-scheduler.ts";
import { nowMs, ratioOf, type Figure, type Measure } from "./figures.ts";
import { runHeapLoop } from "./heap-loop.ts";

const SECTION = "simulated kernel";
const TARGET_RUNS_PER_S = 5000;
const TARGET_EVENT_SHARE = 0.2;

interface SimSample {
  runs: number;
  events: number;
  steps: number;
  ms: number;
}

/** Full-scenario runs (seeds 0, 1, 2, ...) for `ms` of wall time, after a warm-up. */
function simRuns(scenario: Scenario, ms: number): SimSample {
  const warmUntil = nowMs() + Math.min(1000, ms / 5);
  for (let seed = 1_000_000; nowMs() < warmUntil; seed++) runScenarioOnSim(scenario, { seed, fixes: [], mutants: [] });
  const sample: SimSample = { runs: 0, events: 0, steps: 0, ms: 0 };
  const start = nowMs();
  while (nowMs() - start < ms) {
    const { result } = runScenarioOnSim(scenario, { seed: sample.runs, fixes: [], mutants: [] });
    if (result.reason !== "quiescent") throw new Error(`bench scenario run ${sample.runs} ended by ${result.reason}`);
    sample.runs++;
    sample.events += result.events;
    sample.steps += result.steps;
  }
  sample.ms = nowMs() - start;
  return sample;
}

/** Wall time of the heap loop doing `events` events (repeated to at least half a second, for a stable figure). */
function heapLoopMs(events: number): number {
  runHeapLoop(7, 1_000_000); // warm-up
  let repeats = 0;
  const start = nowMs();
  do {
    runHeapLoop(7 + repeats, events);
    repeats++;
  } while (nowMs() - start < 500);
  return (nowMs() - start) / repeats;
}

async function fcRuns(stepsPerRun: number, ms: number): Promise<{ runs: number; steps: number; ms: number }> {
  for (let seed = 0; seed < 50; seed++) await fcSchedulerRun(1_000_000 + seed, stepsPerRun); // warm-up
  let runs = 0;
  let steps = 0;
  const start = nowMs();
  while (nowMs() - start < ms) steps += await fcSchedulerRun(runs++, stepsPerRun);
  return { runs, steps, ms: nowMs() - start };
}

export async function simThroughput(scenario: Scenario, seconds: number): Promise<Figure[]> {
  const sim = simRuns(scenario, seconds * 1000);
  const perS = (n: number, ms: number) => (n * 1000) / ms;
  const heapMs = heapLoopMs(sim.events);
  const stepsPerRun = Math.round(sim.steps / sim.runs);
  const fc = await fcRuns(stepsPerRun, (seconds * 1000) / 2);

  const simRunsPerS: Measure = { what: "full-scenario runs/s on the sim", value: perS(sim.runs, sim.ms), unit: "runs/s" };
  const simEventsPerS: Measure = { what: "trace events/s on the sim", value: perS(sim.events, sim.ms), unit: "events/s" };
  const heapEventsPerS: Measure = { what: "events/s of a plain seeded binary-heap event loop (same number of events)", value: perS(sim.events, heapMs), unit: "events/s" };
  const fcRunsPerS: Measure = {
    what: `fc.scheduler runs/s (8 promise chains, ${stepsPerRun} scheduled steps a run, as many as a sim run has steps)`,
    value: perS(fc.runs, fc.ms),
    unit: "runs/s",
  };
  const details = {
    simRuns: sim.runs,
    simEvents: sim.events,
    simSteps: sim.steps,
    simMs: sim.ms,
    eventsPerRun: sim.events / sim.runs,
    stepsPerRun: sim.steps / sim.runs,
    heapMs,
    fcRuns: fc.runs,
    fcSteps: fc.steps,
    fcMs: fc.ms,
  };
  const eventShare = ratioOf(simEventsPerS, heapEventsPerS);
  return [
    {
      section: SECTION,
      name: "full scenario, runs/s (one core)",
      measured: simRunsPerS,
      baseline: fcRunsPerS,
      ratio: ratioOf(simRunsPerS, fcRunsPerS),
      ratioMeaning: "sim runs/s / fc.scheduler runs/s",
      target: { text: `>= ${TARGET_RUNS_PER_S.toLocaleString("en")} runs/s`, met: simRunsPerS.value >= TARGET_RUNS_PER_S },
      details,
    },
    {
      section: SECTION,
      name: "full scenario, events/s (one core)",
      measured: simEventsPerS,
      baseline: heapEventsPerS,
      ratio: eventShare,
      ratioMeaning: "sim events/s / heap loop events/s",
      target: { text: `>= ${TARGET_EVENT_SHARE * 100}% of the heap loop`, met: eventShare >= TARGET_EVENT_SHARE },
      details,
    },
  ];
}
