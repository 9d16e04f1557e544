// The real backend: how long a Unit process of the model takes to be created and finish its
// handshake on Linux, against a bare `node -e ''` spawn measured in the same run, and the wall
// time of the full scenario.

import { spawn } from "node:child_process";

import type { Scenario } from "../catalog/scenario.ts";
import type { KernelFacts } from "../properties/check.ts";
import { realSupport } from "../real/probe.ts";
import { runScenarioOnReal, type RealRun } from "../real/run-real.ts";
import { median, ratioOf, type Figure, type Measure } from "./figures.ts";

const SECTION = "real backend";
const TARGET_PER_PROCESS = 1.15;

/** Wall time of one `node -e ''`, from spawn to exit. */
function bareNodeSpawn(): Promise<number> {
  const start = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["-e", ""], { stdio: "ignore" });
    child.on("error", reject);
    child.on("exit", () => resolve(performance.now() - start));
  });
}

async function bareSpawns(n: number): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < n; i++) out.push(await bareNodeSpawn());
  return out;
}

/**
 * For each process a model process cloned: ms from its parent's clone() to its own
 * "ready-sent" handshake step (the child is created, exec'd node, and has told its parent it
 * is ready). A child is matched to a clone by its parent and its pid in the parent's namespace.
 */
export function creationTimes(run: Pick<RealRun, "trace" | "facts">): number[] {
  const byPid = new Map<number, KernelFacts>(run.facts.map((f) => [f.pid, f]));
  const readyAt = new Map<number, number>();
  for (const e of run.trace) {
    if (e.kind === "model" && e.event.what === "handshake" && e.event.step === "ready-sent" && !readyAt.has(e.pid)) readyAt.set(e.pid, e.t);
  }
  const times: number[] = [];
  for (const e of run.trace) {
    if (e.kind !== "syscall" || e.call !== "clone" || typeof e.ret !== "number" || e.ret <= 0) continue;
    const parent = byPid.get(e.pid);
    if (parent === undefined) continue;
    const level = parent.nspids.length - 1;
    const child = run.facts.find((f) => f.ppid === parent.pid && f.nspids[level] === e.ret);
    const ready = child === undefined ? undefined : readyAt.get(child.pid);
    if (ready !== undefined) times.push(ready - e.t);
  }
  return times;
}

export async function realBackend(full: Scenario, runs: number): Promise<Figure[]> {
  const support = realSupport();
  if (!support.ok) {
    console.error(`skipping the real backend: ${support.reason}`);
    return [];
  }
  await runScenarioOnReal(full); // warm-up: builds the process bundle, fills the page cache
  const bare = await bareSpawns(10);
  const perProcess: number[] = [];
  const walls: number[] = [];
  const processes: number[] = [];
  for (let i = 0; i < runs; i++) {
    const run = await runScenarioOnReal(full);
    if (run.reason !== "exited") throw new Error(`real run of ${full.name} ended by ${run.reason}`);
    perProcess.push(...creationTimes(run));
    walls.push(run.wallMs);
    processes.push(run.facts.length);
    bare.push(...(await bareSpawns(5))); // interleaved, so both see the same machine load
  }
  const bareMs: Measure = { what: `bare \`node -e ''\` spawn to exit (median of ${bare.length})`, value: median(bare), unit: "ms" };
  const created: Measure = {
    what: `clone() to the child's READY, per process (median of ${perProcess.length})`,
    value: median(perProcess),
    unit: "ms",
  };
  const perRun = median(processes);
  const wall: Measure = { what: `full scenario wall time (median of ${runs} runs, ${perRun} processes each)`, value: median(walls), unit: "ms" };
  const sequential: Measure = { what: `${perRun} bare node spawns one after another`, value: perRun * bareMs.value, unit: "ms" };
  const details = { bareMs: bare, perProcessMs: perProcess, wallMs: walls, processes };
  const perProcessRatio = ratioOf(created, bareMs);
  return [
    {
      section: SECTION,
      name: "process creation and handshake",
      measured: created,
      baseline: bareMs,
      ratio: perProcessRatio,
      ratioMeaning: "per process / bare spawn",
      target: { text: `<= ${TARGET_PER_PROCESS}x a bare node spawn`, met: perProcessRatio <= TARGET_PER_PROCESS },
      details,
    },
    {
      section: SECTION,
      name: "full scenario wall time",
      measured: wall,
      baseline: sequential,
      ratio: ratioOf(wall, sequential),
      ratioMeaning: "wall / bare spawns in a row",
      target: null,
      details,
    },
  ];
}
