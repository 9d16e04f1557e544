// A code change's speed: this checkout against an earlier commit (its sources unpacked with
// git archive, sharing node_modules), each tree alone in a child process as a user runs it,
// the trees taking turns (the order rotating from round to round) so that a load that comes
// and goes falls on all of them. A child warms up (4,000 runs by default: V8 compiles the model for the first 2,000 to 3,000 runs of a process), then makes full-scenario runs in batches
// of 20 seeds (the same seeds in every child) and reports the least CPU time per batch over
// its repeats, which drops the batches the machine's other load hit. The figure is the median
// of the rounds' paired ratios. The same rounds run a second copy of the commit: the commit
// against itself is the method's own noise, measured alongside. (Both trees in one process
// disagreed with themselves by up to 13%: they share V8's caches.)

import { execFileSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";

import { benchTempDir, commitTree, importLoadScenario, treeUrl } from "./commit-tree.ts";
import { median, type Figure } from "./figures.ts";

/** Runs in each tree: only what every commit since the scenario loader has (loadScenario, runScenarioOnSim). */
const sampler = (tree: string) => `${importLoadScenario(tree)}
const [scenarioFile, batchesArg, repeatsArg, warmArg] = process.argv.slice(2);
const { runScenarioOnSim } = await import(${JSON.stringify(treeUrl(tree) + "harness/run-sim.ts")});
const r = loadScenario(scenarioFile);
if (!r.ok) throw new Error(r.error);
const BATCH = 20, WARM_RUNS = Number(warmArg), batches = Number(batchesArg), repeats = Number(repeatsArg);
for (let seed = 1_000_000; seed < 1_000_000 + WARM_RUNS; seed++) runScenarioOnSim(r.scenario, { seed });
const best = new Array(batches).fill(Infinity);
for (let rep = 0; rep < repeats; rep++) for (let k = 0; k < batches; k++) {
  const c0 = process.cpuUsage();
  for (let s = 0; s < BATCH; s++) runScenarioOnSim(r.scenario, { seed: k * BATCH + s });
  const c = process.cpuUsage(c0);
  best[k] = Math.min(best[k], c.user + c.system);
}
const cpuS = best.reduce((a, b) => a + b, 0) / 1e6;
console.log(JSON.stringify({ runs: batches * BATCH, cpuS }));
`;

interface Sample {
  runs: number;
  cpuS: number;
}

function sample(tree: string, script: string, scenarioFile: string, batches: number, repeats: number, warmRuns: number): number {
  const out = execFileSync(process.execPath, ["--import", "tsx", script, scenarioFile, String(batches), String(repeats), String(warmRuns)], {
    cwd: tree,
    encoding: "utf8",
  });
  const s = JSON.parse(out.trim().split("\n").at(-1)!) as Sample;
  return s.runs / s.cpuS;
}

/** Runs a child makes before it is timed: V8 compiles the model for a process's first 2,000 to 3,000. */
export const AB_WARM_RUNS = 4000;

export async function commitAb(root: string, commit: string, rounds: number, batches: number, repeats: number, warmRuns = AB_WARM_RUNS): Promise<Figure[]> {
  const base = commitTree(root, commit, "nxtsim-commit-ab-");
  let control: ReturnType<typeof commitTree> | null = null;
  let samplers: ReturnType<typeof benchTempDir> | null = null;
  try {
    control = commitTree(root, commit, "nxtsim-commit-ab-");
    samplers = benchTempDir("nxtsim-commit-ab-samplers-");
    const trees = [root, base.dir, control.dir];
    const scripts = trees.map((tree, i) => join(samplers!.dir, `sampler-${i}.mts`));
    trees.forEach((tree, i) => writeFileSync(scripts[i]!, sampler(tree)));
    const scenarioFile = join(root, "bench", "full-scenario.json");
    const rates: number[][] = [[], [], []];
    for (let round = 0; round < rounds; round++) {
      for (let i = 0; i < trees.length; i++) {
        const t = (round + i) % trees.length;
        rates[t]!.push(sample(trees[t]!, scripts[t]!, scenarioFile, batches, repeats, warmRuns));
      }
    }
    const [mine, theirs, again] = rates as [number[], number[], number[]];
    const ratios = mine.map((r, i) => r / theirs[i]!);
    const noise = again.map((r, i) => r / theirs[i]!);
    const spread = (xs: number[]) => `${Math.min(...xs).toFixed(2)} to ${Math.max(...xs).toFixed(2)}`;
    const how = `${rounds} rounds, each tree in its own child process in turn, warmed by ${warmRuns.toLocaleString("en")} runs; a child's figure: ${batches} batches of 20 full-scenario runs, each ${repeats} times, the least CPU time per batch`;
    return [
      {
        section: "simulated kernel",
        name: `commit A/B: this checkout against ${commit}`,
        measured: { what: "runs per CPU-second, this checkout (median of the rounds)", value: median(mine), unit: "runs/CPU-s" },
        baseline: { what: `runs per CPU-second, ${commit} (${how})`, value: median(theirs), unit: "runs/CPU-s" },
        ratio: median(ratios),
        ratioMeaning: `this checkout / ${commit}, median of the rounds' ratios (${spread(ratios)})`,
        target: null,
        details: { thisCheckout: mine, commit: theirs },
      },
      {
        section: "simulated kernel",
        name: `commit A/B control: ${commit} against a second copy of itself, in the same rounds`,
        measured: { what: `runs per CPU-second, the second copy of ${commit}`, value: median(again), unit: "runs/CPU-s" },
        baseline: { what: `runs per CPU-second, ${commit}`, value: median(theirs), unit: "runs/CPU-s" },
        ratio: median(noise),
        ratioMeaning: `the method's noise, 1.00x is none (${spread(noise)})`,
        target: null,
        details: { secondCopy: again },
      },
    ];
  } finally {
    base.remove();
    control?.remove();
    samplers?.remove();
  }
}
