// A harness in a process of its own, for the test that SIGKILLs it in the middle of a run:
// prints the run's id as soon as the run started, then runs the scenario.

import { scenarioByName } from "../../catalog/shipped-scenarios.ts";
import { runScenarioOnReal } from "../../real/run-real.ts";

const found = scenarioByName(process.argv[2] ?? "kill-restart-app");
if (!found.ok) throw new Error(found.error);
await runScenarioOnReal(found.scenario, { fixes: ["633"], onStart: (id) => process.stdout.write(`run ${id}\n`) });
