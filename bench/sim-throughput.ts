// Simulated kernel throughput: full-scenario runs on one core, against a plain heap event loop
// doing the same number of events and fast-check's scheduler on an equivalent promise workload.
// Each is timed by the wall clock and by this process's CPU time: on a shared machine the CPU
// figures say what one core does, the wall figures what a user waits.

import type { Scenario } from "../catalog/scenario.ts";
import { runScenarioOnSim } from "../harness/run-sim.ts";
import { fcSchedulerRun } from "./fc-scheduler.ts";
import { median, ratioOf, type Figure, type Measure } from "./figures.ts";
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

/** Full-scenario runs (seeds `firstSeed`, `firstSeed` + 1, ...) for `ms` of wall time. */
function simRuns(scenario: Scenario, ms: number, firstSeed: number): SimSample {
  let runs = 0;
  let events = 0;
  let steps = 0;
  const start = startClock();
  while (performance.now() - start.wall < ms) {
    const { result } = runScenarioOnSim(scenario, { seed: firstSeed + runs });
    if (result.reason !== "quiescent") throw new Error(`bench scenario run of seed ${firstSeed + runs} ended by ${result.reason}`);
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

interface FcSample extends Timing {
  runs: number;
  steps: number;
}

async function fcRuns(stepsPerRun: number, ms: number, firstSeed: number): Promise<FcSample> {
  let runs = 0;
  let steps = 0;
  const start = startClock();
  while (performance.now() - start.wall < ms) steps += await fcSchedulerRun(firstSeed + runs++, stepsPerRun);
  return { runs, steps, ...since(start) };
}

/** Samples added up: their runs, events, steps and times. */
function total<T extends Timing & { runs: number; steps: number }>(samples: readonly T[], events: (s: T) => number): SimSample {
  const sum = (f: (s: T) => number) => samples.reduce((acc, s) => acc + f(s), 0);
  return { runs: sum((s) => s.runs), events: sum(events), steps: sum((s) => s.steps), wallMs: sum((s) => s.wallMs), cpuMs: sum((s) => s.cpuMs) };
}

const ROUNDS = 5;

/**
 * The sim and fc.scheduler in turn, ROUNDS times (a round: the sim for a fifth of `seconds`,
 * fc.scheduler for half that), after a warm-up of both: a load that comes and goes on a
 * shared machine then falls on both, and each round's pair gives one ratio.
 */
async function alternated(scenario: Scenario, seconds: number): Promise<{ sims: SimSample[]; fcs: FcSample[]; stepsPerRun: number }> {
  const warmUntil = performance.now() + Math.min(1000, (seconds * 1000) / 5);
  let warmRuns = 0;
  let warmSteps = 0;
  for (let seed = 1_000_000; performance.now() < warmUntil; seed++, warmRuns++) warmSteps += runScenarioOnSim(scenario, { seed }).result.steps;
  const stepsPerRun = Math.round(warmSteps / Math.max(1, warmRuns));
  for (let seed = 0; seed < 50; seed++) await fcSchedulerRun(1_000_000 + seed, stepsPerRun);
  const sims: SimSample[] = [];
  const fcs: FcSample[] = [];
  const ms = (seconds * 1000) / ROUNDS;
  for (let round = 0; round < ROUNDS; round++) {
    sims.push(simRuns(scenario, ms, sims.reduce((n, s) => n + s.runs, 0)));
    fcs.push(await fcRuns(stepsPerRun, ms / 2, fcs.reduce((n, s) => n + s.runs, 0)));
  }
  return { sims, fcs, stepsPerRun };
}

const perS = (n: number, ms: number) => (n * 1000) / ms;

const spreadOf = (xs: readonly number[]) => `${Math.min(...xs).toFixed(2)} to ${Math.max(...xs).toFixed(2)}`;

export async function simThroughput(scenario: Scenario, seconds: number): Promise<Figure[]> {
  const { sims, fcs, stepsPerRun } = await alternated(scenario, seconds);
  const sim = total(sims, (s) => s.events);
  const fc = total(fcs, () => 0);
  const heap = heapLoop(sim.events);
  const roundRatios = (clock: "wallMs" | "cpuMs") => sims.map((s, i) => s.runs / s[clock] / (fcs[i]!.runs / fcs[i]![clock]));
  const details = { sim, heap, fc, rounds: { sims, fcs }, eventsPerRun: sim.events / sim.runs, stepsPerRun: sim.steps / sim.runs };
  const fcWhat = `fc.scheduler, 8 promise chains, ${stepsPerRun} scheduled steps a run (a sim run's steps), alternated with the sim in ${ROUNDS} rounds`;

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
        ratio: median(roundRatios(clock === "wall" ? "wallMs" : "cpuMs")),
        ratioMeaning: `sim / fc.scheduler, median of the ${ROUNDS} rounds' ratios (${spreadOf(roundRatios(clock === "wall" ? "wallMs" : "cpuMs"))})`,
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
