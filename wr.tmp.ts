import { loadScenario } from "./fixtures/scenario.ts";
import { runScenarioOnSim } from "./harness/run-sim.ts";
const r = loadScenario("bench/full-scenario.json"); if (!r.ok) throw new Error(r.error);
const gc = (globalThis as any).gc as (o?: any) => void;
const tick = () => new Promise((res) => setTimeout(res, 0));
for (let i = 0; i < 100; i++) runScenarioOnSim(r.scenario, { seed: 1e6 + i });
let alive = 0; const N = 100; const refs: WeakRef<object>[] = [];
for (let i = 0; i < N; i++) {
  gc({ type: "minor" }); gc({ type: "minor" });
  refs.push(new WeakRef(runScenarioOnSim(r.scenario, { seed: i }).sim));
  await tick();
  gc({ type: "minor" }); gc({ type: "minor" });
  await tick();
  if (refs[i]!.deref() !== undefined) alive++;
}
console.log(`finished runs still alive after minor GCs: ${alive} of ${N}`);
