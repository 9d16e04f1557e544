// Issue 19's exhaustive-search figures: the complete search of each fixtures/exhaustive/
// scenario (200 steps per run, no preemption bound, the default) by this checkout and by an
// earlier commit,
// A/B in one bench run. The commit's sources are unpacked beside this checkout
// (commit-tree.ts); both trees run the same sampler in child processes, alternately, so both
// see the same machine load. A sample reports the search's counts and its CPU time (user +
// system of that process); the figure is the median of the rounds' paired CPU ratios, and
// the counts (states, runs, schedules) must be the same on both sides.

import { execFileSync } from "node:child_process";
import { readdirSync, writeFileSync } from "node:fs";
import { basename, join } from "node:path";

import { benchTempDir, commitTree, importLoadScenario } from "./commit-tree.ts";
import { median, type Figure } from "./figures.ts";

/** main before the state digest was kept between decisions (issue 19, part 3). */
export const EXHAUSTIVE_BASE_COMMIT = "1819dfe";

/** Only APIs both trees have (loadScenario, exploreExhaustive with these options). */
function sampler(tree: string): string {
  return `${importLoadScenario(tree)}
import { exploreExhaustive } from "${tree}/harness/exhaustive.ts";
const r = loadScenario(process.argv[2]);
if (!r.ok) throw new Error(r.error);
const c0 = process.cpuUsage();
const rep = exploreExhaustive({ scenario: r.scenario, maxPreemptions: null, maxSteps: 200, timeSeconds: 3600 });
const c = process.cpuUsage(c0);
const s = rep.stats;
console.log(JSON.stringify({ complete: rep.complete, states: s.states, runs: s.runs, schedules: s.schedules, steps: s.stepsRun, cpuS: (c.user + c.system) / 1e6 }));
`;
}

export interface SearchSample {
  complete: boolean;
  states: number;
  runs: number;
  schedules: number;
  steps: number;
  cpuS: number;
}

function sample(script: string, fixture: string): SearchSample {
  const out = execFileSync(process.execPath, ["--import", "tsx", script, fixture], { encoding: "utf8" });
  return JSON.parse(out.trim().split("\n").at(-1)!) as SearchSample;
}

const COUNTS = ["complete", "states", "runs", "schedules", "steps"] as const;

function countsOf(s: SearchSample): string {
  return COUNTS.map((k) => `${k} ${String(s[k])}`).join(", ");
}

export function exhaustiveAb(root: string, rounds: number, fixtures?: readonly string[]): Figure[] {
  const files = fixtures ?? readdirSync(join(root, "fixtures", "exhaustive")).sort().map((f) => join(root, "fixtures", "exhaustive", f));
  const base = commitTree(root, EXHAUSTIVE_BASE_COMMIT, "nxtsim-exhaustive-ab-");
  const samplers = benchTempDir("nxtsim-exhaustive-sampler-");
  const scripts = samplers.dir;
  try {
    const ours = join(scripts, "ours.mts");
    const theirs = join(scripts, "base.mts");
    writeFileSync(ours, sampler(root));
    writeFileSync(theirs, sampler(base.dir));
    return files.map((fixture) => {
      const a: SearchSample[] = [];
      const b: SearchSample[] = [];
      for (let i = 0; i < rounds; i++) {
        b.push(sample(theirs, fixture));
        a.push(sample(ours, fixture));
      }
      const sameCounts = a.every((s, i) => countsOf(s) === countsOf(b[i]!));
      const ratio = median(a.map((s, i) => b[i]!.cpuS / s.cpuS));
      return {
        section: "exhaustive search",
        name: `${basename(fixture, ".json")}: complete search (no preemption bound, 200 steps per run); ours ${countsOf(a[0]!)}; ${EXHAUSTIVE_BASE_COMMIT} ${countsOf(b[0]!)}`,
        measured: { what: "CPU seconds of the whole search, this checkout", value: median(a.map((s) => s.cpuS)), unit: "CPU-s" },
        baseline: { what: `CPU seconds, ${EXHAUSTIVE_BASE_COMMIT}, alternated in child processes (median of ${rounds})`, value: median(b.map((s) => s.cpuS)), unit: "CPU-s" },
        ratio,
        ratioMeaning: `${EXHAUSTIVE_BASE_COMMIT}'s CPU / this checkout's, median of the rounds' paired ratios`,
        target: { text: "the same states, runs, schedules and steps, in less CPU", met: sameCounts && a.every((s) => s.complete) && ratio > 1 },
        details: { ours: a, baseline: b },
      };
    });
  } finally {
    base.remove();
    samplers.remove();
  }
}
