// The library example of the README: a check of one's own, one run, and an exploration.
// test/package/install.test.ts runs it from a project that installed the packed nxtsim.
import { explore, exploreSummary, portMsgCode, registerCheck, runScenario, scenarioByName } from "nxtsim";

const NEW_PORT = portMsgCode("NEW_PORT");

// Unit's send matrix tells no application process of another process's port.
registerCheck({
  name: "apps-learn-no-ports",
  claim: "no application process receives a NEW_PORT",
  check: (run) =>
    run.trace
      .filter((e) => e.kind === "recv" && e.ptype === "app" && e.msg.type === NEW_PORT)
      .map((e) => ({ check: "apps-learn-no-ports", reason: `app ${e.pid} received a NEW_PORT from pid ${e.from}`, step: e.step })),
});

const found = scenarioByName("one-app-two-processes");
if (!found.ok) throw new Error(found.error);

// One run with a mutant that sends every port to every process: the new check fails it.
const run = runScenario(found.scenario, { seed: 1, fixes: ["633"], mutants: ["send-all"] });
for (const v of run.verdicts) if (!v.ok) console.log(`FAIL ${v.check}: ${v.reasons[0]}`);

// Twenty runs of the model as Unit is, each judged by every check, the new one included.
const result = await explore({ scenarios: [found.scenario], runs: 20 });
console.log(exploreSummary(result));
