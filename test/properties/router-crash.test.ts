// The shrunk case of the suite with NXTSIM_SEED=31337 once crashed router 107 with
// "rpc register: port->pair[0] != -1": main got EAGAIN writing REMOVE_PID to router 106,
// already dead, so the queued message kept 106's port and record alive past the SIGCHLD
// cleanup; 106's late PROCESS_READY then sent NEW_PORT(106) to router 107, whose
// port_by_type[ROUTER] became that write-only port. Linux answers a send to a closed peer
// with EPIPE, never EAGAIN: the sim drew the fault regardless. This pins the kernel fix.

import { describe, expect, it } from "vitest";
import { scenarioFromGenome, type Genome } from "../../properties/generators.ts";
import { suiteRun } from "../../properties/suite.ts";
import { runScenarioOnSim } from "../../harness/run-sim.ts";
import type { FaultRates } from "../../sim/index.ts";
import type { TraceEvent } from "../../lifecycle/trace.ts";

const genome: Genome = {
  firstPid: 100,
  pidMax: 32768,
  apps: [{ processes: 1, credential: true, pid: false, network: false, uname: false, mount: false, maps: false }],
  actions: [],
};
const faults: FaultRates = { cloneFail: 0, sendFail: 0.01, sendLost: 0, killAtStep: 0.002, mapWriteFail: 0.05 };
// prettier-ignore
const schedule = [
  0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,27633,0,0,0,0,65405,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,32205,0,0,0,0,0,0,0,0,
  0,0,0,0,65405,0,0,0,0,0,2404,0,1,0,12635,0,0,65405,29444,56247,0,6187,0,0,64881,
];
const NEW_PORT = 10;
const REMOVE_PID = 18;

/** The port message a send event carries (null for other events). */
function sentMsg(e: TraceEvent): { type: number; body: unknown } | null {
  return e.kind === "send" ? (e.msg as { type: number; body: unknown } | null) : null;
}

describe("router crash of seed 31337 (a send fault drawn on a dead peer)", () => {
  it("passes every property now", () => {
    expect(suiteRun(genome, faults, schedule, { fixes: ["633"] }).violations).toEqual([]);
  });

  it("main's REMOVE_PID to the reaped-to-be router 106 fails with EPIPE, and 106's port is never sent on", () => {
    const run = runScenarioOnSim(scenarioFromGenome(genome), { seed: 0, faults, replay: schedule, fixes: ["633"] });
    const events = run.sim.trace;
    const toDeadRouter = events.find((e) => e.pid === 100 && sentMsg(e)?.type === REMOVE_PID && sentMsg(e)?.body === 105);
    expect(toDeadRouter).toMatchObject({ ret: "EPIPE" });
    const faultsThen = events.filter((e) => e.kind === "fault" && e.step === toDeadRouter!.step);
    expect(faultsThen.map((e) => (e.kind === "fault" ? (e.detail as { fd: number }).fd : null))).not.toContain((toDeadRouter as { fd: number }).fd);
    const newPortOf106 = events.filter((e) => sentMsg(e)?.type === NEW_PORT && (sentMsg(e)?.body as { pid: number }).pid === 106);
    expect(newPortOf106).toEqual([]);
  });
});
