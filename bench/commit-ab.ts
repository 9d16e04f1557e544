// A code change's speed, measured in one process: this checkout and an earlier commit (its
// sources unpacked with git archive, sharing node_modules) are loaded side by side and make
// full-scenario runs in batches of the same seeds, alternated between the trees (which one
// goes first alternates too), each batch repeated several times. Each tree's time for a batch
// is the least CPU time of its repeats, which drops the repeats the machine's other load hit;
// the figure is the ratio of the trees' summed minimums. On this shared machine two processes
// in turn disagreed by up to 2x; one process holding both trees is steadier. The same run
// measures the method's own noise: the commit against a second copy of itself.

import { existsSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";

import { commitTree } from "./commit-tree.ts";
import { median, type Figure } from "./figures.ts";

const BATCH_RUNS = 20;

interface Tree {
  label: string;
  run: (seed: number) => void;
}

/** A tree's runScenarioOnSim on its own copy of the full scenario (the module layout of any commit since the scenario loader existed). */
async function loadTree(label: string, dir: string): Promise<Tree> {
  const url = (path: string) => pathToFileURL(join(dir, path)).href;
  const scenarioModule = ["catalog/scenario-parse.ts", "catalog/scenario.ts", "fixtures/scenario.ts"].find((p) => existsSync(join(dir, p)));
  if (scenarioModule === undefined) throw new Error(`${label}: no scenario loader found in ${dir}`);
  const { loadScenario } = (await import(url(scenarioModule))) as { loadScenario?: (path: string) => { ok: boolean; scenario?: unknown; error?: string } };
  if (loadScenario === undefined) throw new Error(`${label}: ${scenarioModule} has no loadScenario`);
  const { runScenarioOnSim } = (await import(url("harness/run-sim.ts"))) as { runScenarioOnSim: (scenario: unknown, options: { seed: number }) => unknown };
  const loaded = loadScenario(join(dir, "bench", "full-scenario.json"));
  if (!loaded.ok) throw new Error(`${label}: ${loaded.error}`);
  return { label, run: (seed) => void runScenarioOnSim(loaded.scenario, { seed }) };
}

function batchCpuUs(tree: Tree, firstSeed: number): number {
  const start = process.cpuUsage();
  for (let s = 0; s < BATCH_RUNS; s++) tree.run(firstSeed + s);
  const used = process.cpuUsage(start);
  return used.user + used.system;
}

interface Pairing {
  /** Runs per CPU-second of each tree from its summed per-batch minimums. */
  runsPerCpuS: [number, number];
  /** Summed minimums of the first over the second: the second's speed-up. */
  ratio: number;
  /** Per-batch ratios of the minimums (their spread). */
  perBatch: number[];
}

/** Alternates two trees over `batches` batches of seeds, `repeats` times each. */
function pair(a: Tree, b: Tree, batches: number, repeats: number): Pairing {
  // Warm-up: the JIT compiles both trees before timing (30 batches in a full measurement).
  for (let i = 0; i < Math.min(30, 3 * batches); i++) {
    batchCpuUs(a, 1_000_000 + i * BATCH_RUNS);
    batchCpuUs(b, 1_000_000 + i * BATCH_RUNS);
  }
  const minA = new Array<number>(batches).fill(Infinity);
  const minB = new Array<number>(batches).fill(Infinity);
  for (let r = 0; r < repeats; r++) {
    for (let k = 0; k < batches; k++) {
      const seed = k * BATCH_RUNS;
      const aFirst = (r + k) % 2 === 0;
      if (aFirst) minA[k] = Math.min(minA[k]!, batchCpuUs(a, seed));
      minB[k] = Math.min(minB[k]!, batchCpuUs(b, seed));
      if (!aFirst) minA[k] = Math.min(minA[k]!, batchCpuUs(a, seed));
    }
  }
  const sum = (xs: number[]) => xs.reduce((x, y) => x + y, 0);
  const runs = batches * BATCH_RUNS;
  return {
    runsPerCpuS: [runs / (sum(minA) / 1e6), runs / (sum(minB) / 1e6)],
    ratio: sum(minA) / sum(minB),
    perBatch: minA.map((x, k) => x / minB[k]!),
  };
}

export async function commitAb(root: string, commit: string, batches: number, repeats: number): Promise<Figure[]> {
  const base = commitTree(root, commit, "nxtsim-commit-ab-");
  let control: ReturnType<typeof commitTree> | null = null;
  try {
    control = commitTree(root, commit, "nxtsim-commit-ab-");
    const ours = await loadTree("this checkout", root);
    const theirs = await loadTree(commit, base.dir);
    const again = await loadTree(`${commit} (second copy)`, control.dir);
    const ab = pair(theirs, ours, batches, repeats);
    const aa = pair(theirs, again, batches, repeats);
    const spread = (xs: number[]) => `${Math.min(...xs).toFixed(2)} to ${Math.max(...xs).toFixed(2)}`;
    const how = `${batches} batches of ${BATCH_RUNS} full-scenario runs, each ${repeats} times, alternated in one process; least CPU time per batch`;
    return [
      {
        section: "simulated kernel",
        name: `commit A/B: this checkout against ${commit}, both in one process`,
        measured: { what: "runs per CPU-second, this checkout (summed per-batch minimums)", value: ab.runsPerCpuS[1], unit: "runs/CPU-s" },
        baseline: { what: `runs per CPU-second, ${commit}, loaded beside it (${how})`, value: ab.runsPerCpuS[0], unit: "runs/CPU-s" },
        ratio: ab.ratio,
        ratioMeaning: `${commit}'s CPU time / this checkout's; per batch ${spread(ab.perBatch)}, median ${median(ab.perBatch).toFixed(3)}`,
        target: null,
        details: { perBatch: ab.perBatch },
      },
      {
        section: "simulated kernel",
        name: `commit A/B control: ${commit} against a second copy of itself, the same way`,
        measured: { what: `runs per CPU-second, the second copy of ${commit}`, value: aa.runsPerCpuS[1], unit: "runs/CPU-s" },
        baseline: { what: `runs per CPU-second, ${commit}`, value: aa.runsPerCpuS[0], unit: "runs/CPU-s" },
        ratio: aa.ratio,
        ratioMeaning: `the method's noise, 1.00x is none; per batch ${spread(aa.perBatch)}`,
        target: null,
        details: { perBatch: aa.perBatch },
      },
    ];
  } finally {
    base.remove();
    control?.remove();
  }
}
