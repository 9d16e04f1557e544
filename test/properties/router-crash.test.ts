// The shrunk case of the suite with NXTSIM_SEED=31337 once crashed a router with
// "rpc register: port->pair[0] != -1": main got EAGAIN writing REMOVE_PID to a router that was
// already dead, so the queued message kept that router's port and record alive past the
// SIGCHLD cleanup; its late PROCESS_READY then sent NEW_PORT of the dead router to the new
// one, whose port_by_type[ROUTER] became that write-only port. Linux answers a send to a
// closed peer with EPIPE, never EAGAIN: the sim drew the fault regardless. The kernel rule is
// pinned in test/sim/faults.test.ts.
//
// That case's schedule means another run now that a step is one scheduling point, so the
// lifecycle side is pinned over many runs with the router killed and sends failing often:
// sends to a dead peer happen (EPIPE, no fault drawn) and every violation of every run is
// attributed to a known c8d9106a cause (harness/attribution.ts; the crash above, a model
// defect, would be new).

import { describe, expect, it } from "vitest";
import { scenarioFromGenome, type Genome } from "../../properties/generators.ts";
import { checkRun } from "../../properties/index.ts";
import { attributeFailures } from "../../harness/attribution.ts";
import { runScenarioOnSim } from "../../harness/run-sim.ts";
import { simRunView } from "../../harness/run-view.ts";
import type { FaultRates } from "../../sim/index.ts";

const genome: Genome = {
  firstPid: 100,
  pidMax: 32768,
  apps: [{ processes: 1, credential: true, pid: false, network: false, uname: false, mount: false, maps: false }],
  actions: [{ kind: "signal", at: 60, role: "router", app: 0, index: 0, signal: "SIGKILL" }],
};
const faults: FaultRates = { cloneFail: 0, sendFail: 0.2, sendLost: 0, killAtStep: 0.002, mapWriteFail: 0.05 };
const RUNS = 150;

describe("no send fault on a dead peer (the router crash of suite seed 31337)", () => {
  it(`over ${RUNS} runs with the router killed and sendFail 0.2: sends to dead peers fail with EPIPE, and every violation has a known cause`, () => {
    const scenario = scenarioFromGenome(genome);
    let deadPeerSends = 0;
    for (let seed = 1; seed <= RUNS; seed++) {
      const runWith = (fixes: readonly string[]) => runScenarioOnSim(scenario, { seed, faults, fixes: [...fixes] });
      const run = runWith(["633"]);
      const trace = run.sim.trace;
      // A drawn fault is recorded just before the send it fails, in the same step (sim/faults.ts).
      deadPeerSends += trace.filter((e, i) => e.kind === "send" && e.ret === "EPIPE" && trace[i - 1]?.kind !== "fault").length;
      const violations = checkRun(simRunView(run, scenario));
      const rerun = (fixes: readonly string[]) => checkRun(simRunView(runWith(fixes), scenario));
      const unknown = attributeFailures(violations, ["633"], rerun).filter((v) => v.cause === null);
      expect(unknown, `seed ${seed}`).toEqual([]);
      expect(run.result.reason, `seed ${seed}`).toBe("quiescent");
    }
    expect(deadPeerSends, "no run sent to a dead peer: the test lost its point").toBeGreaterThan(0);
  });
});
