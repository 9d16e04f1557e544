// Triage by cause (issue 14): explore's runs over the shipped scenarios (the same run numbers,
// seeds and fault rates as `nxtsim explore --runs N --seed S`), and every failing run replayed
// once per fix of KNOWN_FIXES (harness/triage.ts). Prints each distinct failure (check and
// reason with numbers normalised) with the fixes that remove it and example runs, then how many
// failing runs have every violation removed by some single fix, and the violations none removes.
//
//   npx tsx scripts/triage-causes.ts [--runs 20000] [--seed 1] [scenario...]
//   npx tsx scripts/triage-causes.ts --runs 20000 --shard 1/2 --json /tmp/a.json   # one process per core
//   npx tsx scripts/triage-causes.ts --merge /tmp/a.json /tmp/b.json                # join the shards
//
// A violation no single fix removes is replayed with every pair of fixes (two causes in one
// run). "adding others" counts removals whose replay has a violation the run did not have: a
// fix that acts early can change the run so much that a violation goes away without its
// cause being that fix's. Exit code 1 when some violation is removed by no single fix and no pair.

import { readFileSync, writeFileSync } from "node:fs";

import type { Scenario } from "../catalog/scenario.ts";
import { listScenarios, scenarioByName } from "../catalog/shipped-scenarios.ts";
import { prepareExploration } from "../harness/explore-plan.ts";
import { parseSeed } from "../harness/explore-seeds.ts";
import { faultsArgument, replayCommand } from "../harness/replay-command.ts";
import { parseShard, WHOLE, type Shard } from "../harness/shard.ts";
import { mergeTriage, triageRuns, type TriageExample, type TriageTally } from "../harness/triage.ts";

const FORMAT = "nxtsim-triage/1";

interface Flags {
  runs: number;
  seed: number;
  shard: Shard;
  json: string | null;
  merge: string[];
  scenarios: Scenario[];
}

function parseFlags(argv: readonly string[]): Flags {
  const flags: Flags = { runs: 20_000, seed: 1, shard: WHOLE, json: null, merge: [], scenarios: [] };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const value = (): string => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${a} needs a value`);
      return v;
    };
    if (a === "--runs") flags.runs = parseSeed(value(), "--runs");
    else if (a === "--seed") flags.seed = parseSeed(value());
    else if (a === "--shard") flags.shard = parseShard(value());
    else if (a === "--json") flags.json = value();
    else if (a === "--merge") flags.merge.push(...argv.slice(i + 1)), (i = argv.length);
    else {
      const r = scenarioByName(a);
      if (!r.ok) throw new Error(r.error);
      flags.scenarios.push(r.scenario);
    }
  }
  if (flags.scenarios.length === 0) flags.scenarios = listScenarios();
  return flags;
}

interface TriageFile {
  format: typeof FORMAT;
  spec: { scenarios: string[]; seed: number; runs: number; shard: string };
  tally: TriageTally;
}

function readTriage(path: string): TriageFile {
  const file = JSON.parse(readFileSync(path, "utf8")) as TriageFile;
  if (file.format !== FORMAT) throw new Error(`${path}: not a ${FORMAT} file`);
  return file;
}

function replayOf(e: TriageExample, extraFix?: string): string {
  const cmd = replayCommand({ seed: e.seed, scenario: e.scenario, faults: e.faults, fixes: extraFix === undefined ? [] : [extraFix], mutants: [] });
  return cmd;
}

function describeExample(e: TriageExample): string {
  const faults = faultsArgument(e.faults) === null ? "no faults" : "faults";
  const pairs = e.removedByPair.length === 0 ? "nor by any pair" : `but by the pairs ${e.removedByPair.join(", ")}`;
  const fixes = e.removedBy.length === 0 ? `removed by no single fix, ${pairs}` : `removed by ${e.removedBy.join(", ")}`;
  return `run ${e.run} (${e.scenario}, seed ${e.seed}, ${faults}): ${fixes}\n        ${replayOf(e)}`;
}

function report(t: TriageTally, spec: TriageFile["spec"], seconds: number | null): string {
  const lines: string[] = [];
  const time = seconds === null ? "" : ` in ${seconds.toFixed(1)} s`;
  lines.push(`triage: ${t.runs} runs over ${spec.scenarios.length} scenarios (base seed ${spec.seed}, ${spec.runs} runs, shard ${spec.shard})${time}`);
  lines.push(`failing runs: ${t.failedRuns}; failures: ${t.failures}; distinct (check + normalised reason): ${t.distinct.length}`);
  t.distinct.forEach((e, i) => {
    const adding = (f: string): string => (e.byFixAddingOthers[f] === undefined ? "" : ` (${e.byFixAddingOthers[f]} adding others)`);
    const fixes = Object.entries(e.byFix).map(([f, n]) => `${f} ${n}${adding(f)}`).join(", ") || "none";
    const scenarios = Object.entries(e.byScenario).map(([s, n]) => `${s} ${n}`).join(", ");
    lines.push(`  [${i + 1}] ${e.check}: ${e.normalised}`);
    lines.push(`      count ${e.count} (${scenarios}); removed by: ${fixes}; by no single fix: ${e.unexplained}`);
    if (e.unexplained > 0) {
      const pairs = Object.entries(e.byPair).map(([f, n]) => `${f} ${n}`).join(", ") || "none";
      lines.push(`      of those, removed by a pair of fixes: ${pairs}; by no pair: ${e.unexplainedByPairs}`);
    }
    for (const x of [...e.examples, ...e.unexplainedExamples]) lines.push(`      ${describeExample(x)}`);
  });
  const unexplained = t.distinct.filter((e) => e.unexplained > 0);
  lines.push(`explained failing runs (every violation removed by some single fix): ${t.explainedRuns} of ${t.failedRuns}`);
  lines.push(`explained failing runs, pairs of fixes allowed: ${t.explainedRunsByPairs} of ${t.failedRuns}`);
  lines.push(`distinct failures with a violation no single fix removes: ${unexplained.length}`);
  for (const e of unexplained) lines.push(`  ${e.check}: ${e.normalised} (${e.unexplained} of ${e.count}; ${e.unexplainedByPairs} removed by no pair either)`);
  return lines.join("\n");
}

function main(): void {
  const flags = parseFlags(process.argv.slice(2));
  let file: TriageFile;
  let seconds: number | null = null;
  if (flags.merge.length > 0) {
    const files = flags.merge.map(readTriage);
    const tally = files.map((f) => f.tally).reduce(mergeTriage);
    const shards = files.map((f) => f.spec.shard).join(", ");
    file = { format: FORMAT, spec: { ...files[0]!.spec, shard: shards }, tally };
  } else {
    const { plan, runsLimit } = prepareExploration({ scenarios: flags.scenarios, runs: flags.runs, seed: flags.seed, shard: flags.shard });
    const start = performance.now();
    const tally = triageRuns(plan, 0, runsLimit!, (done) => {
      if (done % 2000 === 0) process.stderr.write(`${done} of ${runsLimit} runs\n`);
    });
    seconds = (performance.now() - start) / 1000;
    const spec = { scenarios: plan.refs, seed: flags.seed, runs: flags.runs, shard: `${flags.shard.index}/${flags.shard.count}` };
    file = { format: FORMAT, spec, tally };
  }
  if (flags.json !== null) writeFileSync(flags.json, JSON.stringify(file, null, 1) + "\n");
  console.log(report(file.tally, file.spec, seconds));
  process.exitCode = file.tally.distinct.some((e) => e.unexplainedByPairs > 0) ? 1 : 0;
}

main();
