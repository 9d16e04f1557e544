// `npm run bench`: every benchmark of issue 6, each figure with a baseline measured in the same
// run and the ratio between them, printed as a table and written to results/bench-latest.json.
//
//   npm run bench [-- sim|grain|bug|real|scaling|exhaustive ...] [-- --quick]
//   npm run bench -- ab [--against COMMIT]
//
// --quick shortens every measurement (for a smoke test; its figures are noisier). `ab` runs
// only when named: this checkout against COMMIT (default HEAD), in child processes by turns (commit-ab.ts).

import { execFileSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { cpus, loadavg } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

import type { Scenario } from "../catalog/scenario.ts";
import { loadScenario } from "../catalog/scenario-parse.ts";
import { listScenarios } from "../catalog/shipped-scenarios.ts";
import type { Figure } from "./figures.ts";
import { AB_WARM_RUNS, commitAb } from "./commit-ab.ts";
import { exhaustiveAb } from "./exhaustive-ab.ts";
import { findBug } from "./find-bug.ts";
import { GRAIN_WARM_RUNS, grainAb } from "./grain-ab.ts";
import { realBackend } from "./real-backend.ts";
import { scaling } from "./scaling.ts";
import { simThroughput } from "./sim-throughput.ts";
import { formatTable } from "./table.ts";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");
const OUT = join(ROOT, "results", "bench-latest.json");
const SECTIONS = ["sim", "grain", "bug", "real", "scaling", "exhaustive", "ab"] as const;
type Section = (typeof SECTIONS)[number];
/** What `npm run bench` with no section runs: all but the commit A/B, which needs a commit to mean anything. */
const DEFAULT_SECTIONS: readonly Section[] = SECTIONS.filter((s) => s !== "ab");

function usage(message: string): never {
  console.error(`bench: ${message} (usage: npm run bench [-- ${SECTIONS.join("|")} ...] [--quick] [--against COMMIT])`);
  process.exit(2);
}

function parseArgs(argv: readonly string[]): { sections: Section[]; quick: boolean; against: string } {
  let quick = false;
  let against: string | null = null;
  const sections: Section[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === "--quick") quick = true;
    else if (a === "--against") {
      const commit = argv[++i];
      if (commit === undefined || commit.startsWith("-")) usage("--against needs a commit");
      against = commit;
    } else if ((SECTIONS as readonly string[]).includes(a)) sections.push(a as Section);
    else usage(`unknown argument "${a}"`);
  }
  if (against !== null && !sections.includes("ab")) usage("--against is for the ab section (npm run bench -- ab --against COMMIT)");
  return { sections: sections.length === 0 ? [...DEFAULT_SECTIONS] : sections, quick, against: against ?? "HEAD" };
}

/** The commit's full name, or a one-line refusal when git does not know it. */
function resolveCommit(commit: string): string {
  try {
    return execFileSync("git", ["-C", ROOT, "rev-parse", "--verify", "--quiet", `${commit}^{commit}`], { encoding: "utf8" }).trim().slice(0, 12);
  } catch {
    return usage(`--against ${commit}: not a commit of this repository`);
  }
}

function fullScenario(): Scenario {
  const r = loadScenario(join(ROOT, "bench", "full-scenario.json"));
  if (!r.ok) throw new Error(r.error);
  return r.scenario;
}

async function main(): Promise<void> {
  const { sections, quick, against } = parseArgs(process.argv.slice(2));
  const abCommit = sections.includes("ab") ? resolveCommit(against) : against;
  const full = fullScenario();
  const started = new Date();
  const load = loadavg();
  const figures: Figure[] = [];
  const step = async (name: Section, run: () => Promise<Figure[]> | Figure[]) => {
    if (!sections.includes(name)) return;
    const t = performance.now();
    process.stderr.write(`bench: ${name}...`);
    figures.push(...(await run()));
    process.stderr.write(` ${((performance.now() - t) / 1000).toFixed(1)} s\n`);
  };
  await step("sim", () => simThroughput(full, quick ? 2 : 10, quick ? { minRuns: 250, maxRuns: 1000 } : { minRuns: 3000, maxRuns: 15_000 }));
  await step("grain", () => grainAb(ROOT, join(ROOT, "bench", "full-scenario.json"), quick ? 1 : 5, quick ? 1000 : 4000, quick ? 300 : GRAIN_WARM_RUNS));
  await step("bug", () => findBug("633", quick ? 4 : 20));
  await step("real", () => realBackend(full, quick ? 1 : 3));
  await step("scaling", () => scaling(listScenarios(), quick ? 2 : 8, quick ? 200 : 20_000, quick ? 1 : 3));
  await step("exhaustive", () => exhaustiveAb(ROOT, quick ? 1 : 3));
  await step("ab", () => commitAb(ROOT, abCommit, quick ? 1 : 5, quick ? 4 : 10, quick ? 1 : 3, quick ? 500 : AB_WARM_RUNS));

  const machine = {
    node: process.version,
    cpus: cpus().length,
    cpuModel: cpus()[0]?.model ?? "unknown",
    loadAverageAtStart: load,
    loadAverageAtEnd: loadavg(),
  };
  const report = { format: "nxtsim-bench/1", date: started.toISOString(), quick, sections, machine, figures };
  mkdirSync(dirname(OUT), { recursive: true });
  writeFileSync(OUT, JSON.stringify(report, null, 2) + "\n");
  console.log(`nxtsim bench, ${started.toISOString()}, node ${process.version}, ${machine.cpus} cpus, load ${load.map((l) => l.toFixed(1)).join(" ")}${quick ? " (--quick)" : ""}\n`);
  console.log(formatTable(figures));
  console.log(`\nwritten to ${OUT}`);
}

main().catch((e: unknown) => {
  console.error(`bench: ${e instanceof Error ? e.message.split("\n")[0] : String(e)}`);
  process.exit(1);
});
