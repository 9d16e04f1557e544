// Simulated kernel throughput: full-scenario runs on one core, against a plain heap event loop
// doing the same number of events and fast-check's scheduler on an equivalent promise workload.
// Each is timed by the wall clock and by this process's CPU time: on a shared machine the CPU
// figures say what one core does, the wall figures what a user waits.

import type { Scenario } from "../catalog/scenario.ts";
import { runScenarioOnSim } from "../harness/run-sim.ts";
import { fcSchedulerRun } from "./fc-scheduler.ts";
import { ratioOf, type Figure, type Measure } from "./figures.ts";
import { runHeapLoop } from "./heap-loop.ts";

const SECTION = "simulated kernel";
const TARGET_RUNS_PER_S = 5000;
const TARGET_EVENT_SHARE = 0.2;

interface Timing {
  wallMs: number;
  cpuMs: number;
}

/** Wall and CPU time of this process from `start` on. */
function since(start: { wall: number; cpu: NodeJS.CpuUsage }): Timing {
  const cpu = process.cpuUsage(start.cpu);
  return { wallMs: performance.now() - start.wall, cpuMs: (cpu.user + cpu.system) / 1000 };
}

function startClock(): { wall: number; cpu: NodeJS.CpuUsage } {
  return { wall: performance.now(), cpu: process.cpuUsage() };
}

interface SimSample extends Timing {
  runs: number;
  events: number;
  steps: number;
}

/** Full-scenario runs (seeds 0, 1, 2, ...) for `ms` of wall time, after a warm-up. */
function simRuns(scenario: Scenario, ms: number): SimSample {
  const warmUntil = performance.now() + Math.min(1000, ms / 5);
  for (let seed = 1_000_000; performance.now() < warmUntil; seed++) runScenarioOnSim(scenario, { seed });
  let runs = 0;
  let events = 0;
  let steps = 0;
  const start = startClock();
  while (performance.now() - start.wall < ms) {
    const { result } = runScenarioOnSim(scenario, { seed: runs });
    if (result.reason !== "quiescent") throw new Error(`bench scenario run ${runs} ended by ${result.reason}`);
    runs++;
    events += result.events;
    steps += result.steps;
  }
  return { runs, events, steps, ...since(start) };
}

/** The heap loop doing `events` events, repeated for at least half a second; the time of one pass. */
function heapLoop(events: number): Timing {
  runHeapLoop(7, 1_000_000); // warm-up
  let repeats = 0;
  const start = startClock();
  do {
    runHeapLoop(7 + repeats, events);
    repeats++;
  } while (performance.now() - start.wall < 500);
  const t = since(start);
  return { wallMs: t.wallMs / repeats, cpuMs: t.cpuMs / repeats };
}

async function fcRuns(stepsPerRun: number, ms: number): Promise<Timing & { runs: number; steps: number }> {
  for (let seed = 0; seed < 50; seed++) await fcSchedulerRun(1_000_000 + seed, stepsPerRun); // warm-up
  let runs = 0;
  let steps = 0;
  const start = startClock();
  while (performance.now() - start.wall < ms) steps += await fcSchedulerRun(runs++, stepsPerRun);
  return { runs, steps, ...since(start) };
}

const perS = (n: number, ms: number) => (n * 1000) / ms;

export async function simThroughput(scenario: Scenario, seconds: number): Promise<Figure[]> {
  const sim = simRuns(scenario, seconds * 1000);
  const heap = heapLoop(sim.events);
  const stepsPerRun = Math.round(sim.steps / sim.runs);
  const fc = await fcRuns(stepsPerRun, (seconds * 1000) / 2);
  const details = { sim, heap, fc, eventsPerRun: sim.events / sim.runs, stepsPerRun: sim.steps / sim.runs };
  const fcWhat = `fc.scheduler, 8 promise chains, ${stepsPerRun} scheduled steps a run (a sim run's steps)`;

  const figures: Figure[] = [];
  for (const clock of ["wall", "cpu"] as const) {
    const simMs = clock === "wall" ? sim.wallMs : sim.cpuMs;
    const per = clock === "wall" ? "s" : "CPU-s";
    const runs: Measure = { what: "sim, full scenario", value: perS(sim.runs, simMs), unit: `runs/${per}` };
    const events: Measure = { what: "sim, trace events", value: perS(sim.events, simMs), unit: `events/${per}` };
    const fcRate: Measure = { what: fcWhat, value: perS(fc.runs, clock === "wall" ? fc.wallMs : fc.cpuMs), unit: `runs/${per}` };
    const heapRate: Measure = {
      what: "plain seeded binary-heap event loop, same number of events",
      value: perS(sim.events, clock === "wall" ? heap.wallMs : heap.cpuMs),
      unit: `events/${per}`,
    };
    const share = ratioOf(events, heapRate);
    figures.push(
      {
        section: SECTION,
        name: `full scenario, runs per ${clock === "wall" ? "second" : "CPU-second"} (one core)`,
        measured: runs,
        baseline: fcRate,
        ratio: ratioOf(runs, fcRate),
        ratioMeaning: "sim / fc.scheduler",
        target: { text: `>= ${TARGET_RUNS_PER_S.toLocaleString("en")} ${runs.unit}`, met: runs.value >= TARGET_RUNS_PER_S },
        details,
      },
      {
        section: SECTION,
        name: `full scenario, events per ${clock === "wall" ? "second" : "CPU-second"} (one core)`,
        measured: events,
        baseline: heapRate,
        ratio: share,
        ratioMeaning: "sim / heap loop",
        target: { text: `>= ${TARGET_EVENT_SHARE * 100}% of the heap loop`, met: share >= TARGET_EVENT_SHARE },
        details,
      },
    );
  }
  return figures;
}
