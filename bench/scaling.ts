// Scaling: the same exploration (the shipped scenarios, a fixed run budget, as `npm start`
// explores them) on one worker thread and on two. The figure is over the whole wall time,
// starting the workers included; the details also give the start-up alone (an exploration of
// one run per worker) and the CPU time all threads used, which shows how much of the machine
// the exploration actually got. A second figure measures the machine's own ceiling for this
// workload: the same runs as two separate OS processes (shards 1/2 and 2/2 at once) against
// one process making them all, each on one worker thread. No split of one process can beat that;
// a last figure sets the two workers against the two processes of the same round.

import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";

import type { Scenario } from "../catalog/scenario.ts";
import { explore } from "../harness/explore.ts";
import { exploreOnWorkers } from "../harness/workers.ts";
import { median, ratioOf, type Figure, type Measure } from "./figures.ts";

const SECTION = "scaling";
const TARGET_SPEEDUP = 1.8;

interface Rate {
  perS: number;
  wallMs: number;
  /** CPU time of the whole process (every thread) during the exploration. */
  cpuMs: number;
  /** Wall time of an exploration of one run per worker: mostly starting the workers. */
  startupMs: number;
  events: number;
}

async function rate(scenarios: readonly Scenario[], runs: number, workers: number): Promise<Rate> {
  const startup = await exploreOnWorkers({ scenarios, runs: workers }, workers);
  const cpu0 = process.cpuUsage();
  const result = await exploreOnWorkers({ scenarios, runs }, workers);
  const cpu = process.cpuUsage(cpu0);
  return {
    perS: (result.runs * 1000) / result.timing.wallMs,
    wallMs: result.timing.wallMs,
    cpuMs: (cpu.user + cpu.system) / 1000,
    startupMs: startup.timing.wallMs,
    events: result.events,
  };
}

const CLI = fileURLToPath(new URL("../bin/nxtsim.js", import.meta.url));

/** Wall time of `nxtsim explore` of the shipped scenarios in one child process (exit 1, failures found, is fine). */
function exploreProcess(args: readonly string[]): Promise<number> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, "explore", "--no-progress", ...args], { stdio: ["ignore", "ignore", "pipe"] });
    let stderr = "";
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    child.on("error", reject);
    child.on("close", (code) => (code === 0 || code === 1 ? resolve(performance.now() - started) : reject(new Error(`nxtsim explore ${args.join(" ")} exited ${code}: ${stderr}`))));
  });
}

/**
 * The CPU (every thread of the process) a run took with two workers against one: what the
 * second worker costs in work, apart from whether the machine had a core free for it. Where
 * two cores are free, two workers' wall speed-up is at most 2 / this ratio.
 */
function cpuPerRun(runs: number, one: readonly Rate[], two: readonly Rate[]): Figure {
  const cpu = (rates: readonly Rate[]) => rates.reduce((sum, r) => sum + r.cpuMs, 0) / (runs * rates.length);
  const m1: Measure = { what: `explore --runs ${runs} --workers 1, CPU of every thread (all rounds)`, value: cpu(one), unit: "CPU-ms/run" };
  const m2: Measure = { what: `explore --runs ${runs} --workers 2, CPU of every thread (all rounds)`, value: cpu(two), unit: "CPU-ms/run" };
  return {
    section: SECTION,
    name: "CPU per run, 2 workers against 1",
    measured: m2,
    baseline: m1,
    ratio: ratioOf(m2, m1),
    ratioMeaning: "2 workers / 1 worker (1.00x: the second worker adds no work)",
    target: null,
  };
}

/** Wall time (ms) of one process making `runs`, and of two making half each at once: the machine's ceiling. */
async function ceilingRound(runs: number): Promise<{ oneMs: number; twoMs: number }> {
  // Each process makes its runs on one worker thread, as the workers compared above do: the
  // same bundled code, and the same compiling per thread.
  const oneMs = await exploreProcess(["--runs", String(runs), "--workers", "1"]);
  const twoMs = Math.max(...(await Promise.all([1, 2].map((i) => exploreProcess(["--runs", String(runs), "--shard", `${i}/2`, "--workers", "1"])))));
  return { oneMs, twoMs };
}

interface Round {
  one: Rate;
  two: Rate;
  oneProcessMs: number;
  twoProcessesMs: number;
}

const range = (xs: readonly number[]): string => `${Math.min(...xs).toFixed(2)} to ${Math.max(...xs).toFixed(2)}`;

/**
 * `seconds`: about how long the one-worker exploration should take (calibrated on the main
 * thread), but at least `minRuns`: every worker thread compiles the model anew, and its first
 * 2,000 to 3,000 runs, compiling on the same cores, would otherwise be most of what is timed.
 * `rounds` rounds each make the four explorations (1 and 2 workers, 1 and 2 processes); the
 * figures are the medians of the rounds' ratios, as this machine's speed moves by a third from
 * one minute to the next.
 */
export async function scaling(scenarios: readonly Scenario[], seconds: number, minRuns: number, rounds: number): Promise<Figure[]> {
  const probe = explore({ scenarios, timeSeconds: 2 });
  const mainPerS = (probe.runs * 1000) / probe.timing.wallMs;
  const runs = Math.max(minRuns, Math.round(mainPerS * seconds));
  await exploreProcess(["--runs", "8", "--workers", "1"]); // warm the file cache
  const made: Round[] = [];
  for (let r = 0; r < rounds; r++) {
    const one = await rate(scenarios, runs, 1);
    const two = await rate(scenarios, runs, 2);
    if (one.events !== two.events) throw new Error(`1 and 2 workers made different runs (${one.events} vs ${two.events} events)`);
    const { oneMs, twoMs } = await ceilingRound(runs);
    made.push({ one, two, oneProcessMs: oneMs, twoProcessesMs: twoMs });
  }
  const speedups = made.map((m) => m.two.perS / m.one.perS);
  const ceilings = made.map((m) => m.oneProcessMs / m.twoProcessesMs);
  // Two workers against two processes, from the two explorations made minutes apart in the
  // same round: the noisier one-worker and one-process times drop out of it.
  const shares = made.map((m) => m.twoProcessesMs / m.two.wallMs);
  const med = (f: (m: Round) => number) => median(made.map(f));
  // How many cores the exploration got: on a shared machine two workers may not get two.
  const cores = (f: (m: Round) => Rate) => median(made.map((m) => f(m).cpuMs / f(m).wallMs)).toFixed(2);
  const m1: Measure = { what: `explore --runs ${runs} --workers 1, shipped scenarios (median of ${rounds})`, value: med((m) => m.one.perS), unit: "runs/s" };
  const m2: Measure = { what: `explore --runs ${runs} --workers 2, shipped scenarios (median of ${rounds})`, value: med((m) => m.two.perS), unit: "runs/s" };
  const p1: Measure = { what: `one process: explore --runs ${runs} --workers 1, shipped scenarios (median of ${rounds})`, value: med((m) => (runs * 1000) / m.oneProcessMs), unit: "runs/s" };
  const p2: Measure = { what: `two processes at once, shards 1/2 and 2/2 of the same runs, one worker each (median of ${rounds})`, value: med((m) => (runs * 1000) / m.twoProcessesMs), unit: "runs/s" };
  const speedup = median(speedups);
  const share = median(shares);
  return [
    {
      section: SECTION,
      name: `2 workers against 1 (CPU got: ${cores((m) => m.one)} cores with 1 worker, ${cores((m) => m.two)} with 2)`,
      measured: m2,
      baseline: m1,
      ratio: speedup,
      ratioMeaning: `2 workers / 1 worker, wall time with start-up, median of ${rounds} rounds' ratios (${range(speedups)})`,
      target: { text: `>= ${TARGET_SPEEDUP}x`, met: speedup >= TARGET_SPEEDUP },
      details: { runs, mainThreadProbePerS: mainPerS, rounds: made },
    },
    cpuPerRun(
      runs,
      made.map((m) => m.one),
      made.map((m) => m.two),
    ),
    {
      section: SECTION,
      name: "the machine's ceiling: 2 separate processes against 1",
      measured: p2,
      baseline: p1,
      ratio: median(ceilings),
      ratioMeaning: `2 processes / 1 process, wall time with start-up, median of ${rounds} rounds' ratios (${range(ceilings)})`,
      target: null,
    },
    {
      section: SECTION,
      name: "2 workers against the ceiling: 2 worker threads of one process against 2 separate processes, in the same round",
      measured: m2,
      baseline: p2,
      ratio: share,
      ratioMeaning: `2 processes' wall time / 2 workers', median of ${rounds} rounds' ratios (${range(shares)})`,
      target: { text: ">= 0.95x", met: share >= 0.95 },
    },
  ];
}
