// Finds a run for fixtures/causes/<fix>.json: explore's runs in order (base seed, scenarios
// round-robin, fault rates drawn per run, or none with --fault-free) until one fails CHECK
// with a reason that the replay with <fix> on removes while adding no violation of its own
// (every check). Prints the file's content; --write writes it. --with <fix> (repeatable) runs
// with another fix on in both, recorded in the file's fixes: for a cause whose repaired run
// always meets a second cause.
//
//   npx tsx scripts/find-cause-run.ts <fix> --check <check> [--runs 20000] [--seed 1] [--fault-free] [--with <fix>]... [--write] [scenario or scenario file...]

import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";

import type { Scenario } from "../catalog/scenario.ts";
import { loadScenario } from "../catalog/scenario-parse.ts";
import { listScenarios, scenarioByName } from "../catalog/shipped-scenarios.ts";
import { CAUSES_DIR } from "../harness/cause-files.ts";
import { faultRatesForSeed, parseSeed, runSeed } from "../harness/explore-seeds.ts";
import { failuresOf, stillFails } from "../harness/fix-replay.ts";
import { noFaults } from "../sim/index.ts";

const argv = process.argv.slice(2);
const fix = argv[0];
const at = (flag: string): string | undefined => {
  const i = argv.indexOf(flag);
  return i < 0 ? undefined : argv[i + 1];
};
const check = at("--check");
if (fix === undefined || check === undefined) throw new Error("usage: find-cause-run.ts <fix> --check <check> [--runs N] [--seed S] [--fault-free] [--with <fix>]... [--write] [scenario...]");
const runs = parseSeed(at("--runs") ?? "20000", "--runs");
const base = parseSeed(at("--seed") ?? "1");
const faultFree = argv.includes("--fault-free");
const background = argv.flatMap((a, i) => (a === "--with" && argv[i + 1] !== undefined ? [argv[i + 1]!] : []));
const valued = new Set(["--check", "--runs", "--seed", "--with"]);
const named = argv.slice(1).filter((a, i, all) => !a.startsWith("--") && !valued.has(all[i - 1] ?? ""));
// A scenario file (path ending in .json) that is not shipped is written into the cause file whole.
const fromFile = new Set<Scenario>();
const scenarios: Scenario[] = named.length === 0 ? listScenarios() : named.map((n) => {
  const r = n.endsWith(".json") ? loadScenario(n) : scenarioByName(n);
  if (!r.ok) throw new Error(r.error);
  if (n.endsWith(".json")) fromFile.add(r.scenario);
  return r.scenario;
});

for (let k = 0; k < runs; k++) {
  const scenario = scenarios[k % scenarios.length]!;
  const seed = runSeed(base, k);
  const faults = faultFree ? noFaults() : faultRatesForSeed(seed);
  const original = failuresOf(scenario, { seed, faults, fixes: background });
  const target = original.find((f) => f.check === check);
  if (target === undefined) continue;
  const fixed = failuresOf(scenario, { seed, faults, fixes: [...background, fix] });
  if (stillFails(fixed, target) || fixed.some((f) => !stillFails(original, f))) continue;
  const nonZero = Object.fromEntries(Object.entries(faults).filter(([, r]) => r !== 0));
  const file = { fix, scenario: fromFile.has(scenario) ? JSON.parse(readFileSync(named[scenarios.indexOf(scenario)]!, "utf8")) : scenario.name, seed, faults: nonZero, fixes: background, mutants: [], check, reason: target.reason };
  const text = JSON.stringify(file, null, 2) + "\n";
  console.log(`run ${k}: ${text}`);
  if (argv.includes("--write")) writeFileSync(join(CAUSES_DIR, `${fix}.json`), text);
  process.exit(0);
}
console.error(`no run out of ${runs} fails ${check} in a way ${fix} removes without a violation of its own`);
process.exit(1);
