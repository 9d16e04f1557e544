import { writeHeapSnapshot } from "node:v8";
import { readFileSync, unlinkSync } from "node:fs";
import { loadScenario } from "./fixtures/scenario.ts";
import { runScenarioOnSim } from "./harness/run-sim.ts";
const r = loadScenario("bench/full-scenario.json"); if (!r.ok) throw new Error(r.error);
for (let i = 0; i < 300; i++) runScenarioOnSim(r.scenario, { seed: i });
const file = writeHeapSnapshot("/tmp/snap2-" + process.pid + ".heapsnapshot");
const snap = JSON.parse(readFileSync(file, "utf8")); unlinkSync(file);
const f = snap.snapshot.meta.node_fields; const nf = f.length; const ni = f.indexOf("name");
const counts = new Map<string, number>();
for (let i = 0; i < snap.nodes.length; i += nf) { const n = String(snap.strings[snap.nodes[i + ni]]); if (["World", "SimProcess", "Sim", "SimKernel", "VirtualClock", "TraceRecorder", "Generator"].includes(n)) counts.set(n, (counts.get(n) ?? 0) + 1); }
console.log([...counts].map(([k, v]) => `${k}=${v}`).join(" "));
