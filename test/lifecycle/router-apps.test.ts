// The router's application objects: a removed application lives on (its ports and pending
// start RPC point at it, as nxt_router's nxt_app_t does) and a re-added one is a new object.
// The model once found them by name, so the old application's RPC error reached the new one:
// its pending start was reset, a second prototype was started, and the router aborted on
// nxt_router_app_prefork_ready's assertion. This recorded run is that interleaving: the
// controller dies mid-reconfiguration, the new controller re-adds the removed application,
// and the old application's start RPC fails on its prototype's REMOVE_PID.

import { expect, it } from "vitest";

import { scenarioByName } from "../../catalog/shipped-scenarios.ts";
import { checkRun } from "../../harness/checks.ts";
import { runOnce } from "../../harness/explore-run.ts";
import { msgTypeCode } from "../../lifecycle/port-messages.ts";
import { faultRates } from "../../sim/faults.ts";

const START_PROCESS = msgTypeCode("START_PROCESS");

it("a re-added application's start is not reset by the removed one's RPC error: one prototype, no router abort", () => {
  const r = scenarioByName("reconfigure-remove-app");
  if (!r.ok) throw new Error(r.error);
  const run = runOnce(r.scenario, { seed: 75, faults: faultRates({ sendFail: 0.01, killAtStep: 0.02 }) });
  const after = run.sim.trace.filter((e) => e.t >= 2000);
  const router = run.sim.trace.find((e) => e.kind === "send" && e.ptype === "router")!.pid;
  // The run still exercises the case: the router's start RPC of the removed application fails on its prototype's death.
  const oldStartFailed = after.some((e) => e.pid === router && e.kind === "model" && e.event.what === "rpc" && e.event.op === "error" && e.event.peer !== undefined);
  expect(oldStartFailed).toBe(true);
  // That router asks main for the re-added application's prototype once (twice when the error reset the new one's start).
  const prototypeStarts = after.filter(
    (e) => e.pid === router && e.kind === "send" && (e.msg as { type: number }).type === START_PROCESS && (e.msg as { body: unknown }).body !== null,
  );
  expect(prototypeStarts).toHaveLength(1);
  expect(checkRun({ scenario: r.scenario, ...run }).filter((f) => f.check === "no-crash")).toEqual([]);
});
