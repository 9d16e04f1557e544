// One hash over the traces of every shipped scenario and the bench's full scenario, N seeds
// each (default 180), odd seeds with faults: run it before and after a change to the
// simulator that must leave every trace byte-identical, and compare the two lines.
//   node --import tsx scripts/trace-hashes.ts [N]

import { createHash } from "node:crypto";
import { readdirSync } from "node:fs";
import { join } from "node:path";

import { loadScenario } from "../catalog/scenario-parse.ts";
import { SCENARIOS_DIR } from "../catalog/shipped-scenarios.ts";
import { runScenarioOnSim } from "../harness/run-sim.ts";

const FAULTS = { killAtStep: 0.002, sendLost: 0.01, sendFail: 0.01, cloneFail: 0.01, mapWriteFail: 0.01 };
const files = readdirSync(SCENARIOS_DIR)
  .filter((f) => f.endsWith(".json"))
  .sort()
  .map((f) => join(SCENARIOS_DIR, f))
  .concat([join(SCENARIOS_DIR, "..", "..", "bench", "full-scenario.json")]);
const n = Number(process.argv[2] ?? 180);
const hash = createHash("sha256");
for (const file of files) {
  const r = loadScenario(file);
  if (!r.ok) throw new Error(r.error);
  for (let seed = 0; seed < n; seed++) {
    const { sim } = runScenarioOnSim(r.scenario, { seed, ...(seed % 2 === 1 ? { faults: FAULTS } : {}) });
    hash.update(sim.traceHash());
  }
}
console.log(`${files.length} scenarios x ${n} seeds: ${hash.digest("hex")}`);
