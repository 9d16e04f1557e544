// Scaling: the same exploration (the shipped scenarios, a fixed run budget, as `npm start`
// explores them) on one worker thread and on two. The figure is over the whole wall time,
// starting the workers included; the details also give the start-up alone (an exploration of
// one run per worker) and the CPU time all threads used, which shows how much of the machine
// the exploration actually got. A second figure measures the machine's own ceiling for this
// workload: the same runs as two separate OS processes (shards 1/2 and 2/2 at once) against
// one process making them all, each on one worker thread. No split of one process can beat that.

import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";

import type { Scenario } from "../catalog/scenario.ts";
import { explore } from "../harness/explore.ts";
import { exploreOnWorkers } from "../harness/workers.ts";
import { ratioOf, type Figure, type Measure } from "./figures.ts";

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
function cpuPerRun(runs: number, one: Rate, two: Rate): Figure {
  const m1: Measure = { what: `explore --runs ${runs} --workers 1, CPU of every thread`, value: one.cpuMs / runs, unit: "CPU-ms/run" };
  const m2: Measure = { what: `explore --runs ${runs} --workers 2, CPU of every thread`, value: two.cpuMs / runs, unit: "CPU-ms/run" };
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

/** One process making `runs` against two making half each at once: the machine's ceiling. */
async function processCeiling(runs: number): Promise<Figure> {
  // Each process makes its runs on one worker thread, as the workers compared above do: the
  // same bundled code, and the same compiling per thread.
  await exploreProcess(["--runs", "8", "--workers", "1"]); // warm the file cache
  const oneMs = await exploreProcess(["--runs", String(runs), "--workers", "1"]);
  const twoMs = Math.max(...(await Promise.all([1, 2].map((i) => exploreProcess(["--runs", String(runs), "--shard", `${i}/2`, "--workers", "1"])))));
  const one: Measure = { what: `one process: explore --runs ${runs} --workers 1, shipped scenarios`, value: (runs * 1000) / oneMs, unit: "runs/s" };
  const two: Measure = { what: `two processes at once, shards 1/2 and 2/2 of the same runs, one worker each`, value: (runs * 1000) / twoMs, unit: "runs/s" };
  return {
    section: SECTION,
    name: "the machine's ceiling: 2 separate processes against 1",
    measured: two,
    baseline: one,
    ratio: ratioOf(two, one),
    ratioMeaning: "2 processes / 1 process, wall time with start-up",
    target: null,
    details: { runs, oneProcessMs: oneMs, twoProcessesMs: twoMs },
  };
}

/**
 * `seconds`: about how long the one-worker exploration should take (calibrated on the main
 * thread), but at least `minRuns`: every worker thread compiles the model anew, and its first
 * 2,000 to 3,000 runs, compiling on the same cores, would otherwise be most of what is timed.
 */
export async function scaling(scenarios: readonly Scenario[], seconds: number, minRuns: number): Promise<Figure[]> {
  const probe = explore({ scenarios, timeSeconds: 2 });
  const mainPerS = (probe.runs * 1000) / probe.timing.wallMs;
  const runs = Math.max(minRuns, Math.round(mainPerS * seconds));
  const one = await rate(scenarios, runs, 1);
  const two = await rate(scenarios, runs, 2);
  if (one.events !== two.events) throw new Error(`1 and 2 workers made different runs (${one.events} vs ${two.events} events)`);
  // How many cores the exploration got: on a shared machine two workers may not get two.
  const cores = (r: Rate) => (r.cpuMs / r.wallMs).toFixed(2);
  const m1: Measure = { what: `explore --runs ${runs} --workers 1, shipped scenarios`, value: one.perS, unit: "runs/s" };
  const m2: Measure = { what: `explore --runs ${runs} --workers 2, shipped scenarios`, value: two.perS, unit: "runs/s" };
  const speedup = ratioOf(m2, m1);
  return [
    {
      section: SECTION,
      name: `2 workers against 1 (CPU got: ${cores(one)} cores with 1 worker, ${cores(two)} with 2)`,
      measured: m2,
      baseline: m1,
      ratio: speedup,
      ratioMeaning: "2 workers / 1 worker, wall time with start-up",
      target: { text: `>= ${TARGET_SPEEDUP}x`, met: speedup >= TARGET_SPEEDUP },
      details: { runs, mainThreadProbePerS: mainPerS, oneWorker: one, twoWorkers: two },
    },
    cpuPerRun(runs, one, two),
    await processCeiling(runs),
  ];
}
