import { scenarioByName, loadScenario } from "./fixtures/scenario.ts";
import { runScenarioOnSim } from "./harness/run-sim.ts";
const r = process.argv[2] ? scenarioByName(process.argv[2]) : loadScenario("bench/full-scenario.json"); if (!r.ok) throw new Error(r.error);
for (let i = 0; i < 200; i++) runScenarioOnSim(r.scenario, { seed: 1e6 + i });
const c0 = process.cpuUsage(); const t0 = performance.now(); let runs = 0; let steps = 0;
while (performance.now() - t0 < Number(process.env.MS ?? 8000)) { steps += runScenarioOnSim(r.scenario, { seed: runs++ }).result.steps; }
const c = process.cpuUsage(c0); const cpuS = (c.user + c.system) / 1e6;
console.error("RUNS", runs); console.log(`${(runs / cpuS).toFixed(0)} runs/cpu-s ${(steps / runs).toFixed(0)} steps/run`);
import { getHeapSpaceStatistics } from "node:v8";
console.error(getHeapSpaceStatistics().filter((s) => s.space_name === "new_space").map((s) => `new_space size ${(s.space_size / 1e6).toFixed(1)} MB`).join());
