// The user-visible differences of Unit 1.35 that the model covers, on the real kernel: the
// renumbered port message codes on the wire (the checks read them with their own copy of
// 1.35's table), and #633 gone with 900828cc. test/lifecycle/unit-versions.test.ts shows the
// same on the simulated kernel.

import { expect, test } from "vitest";

import { scenarioByName, type Scenario } from "../../fixtures/scenario.ts";
import { realRunView } from "../../harness/run-view.ts";
import { checkRun } from "../../properties/index.ts";
import { runScenarioOnReal } from "../../real/run-real.ts";
import { describeReal } from "./native-helpers.ts";

function shipped(name: string): Scenario {
  const r = scenarioByName(name);
  if (!r.ok) throw new Error(r.error);
  return r.scenario;
}

async function sentCodes(scenario: Scenario, unit?: string): Promise<{ sent: Set<number>; failing: string[] }> {
  const run = await runScenarioOnReal(scenario, { fixes: [], mutants: [], ...(unit === undefined ? {} : { unit }) });
  expect(run.reason).toBe("settled");
  const sent = new Set(run.trace.flatMap((e) => (e.kind === "send" && typeof (e.msg as { type?: unknown } | null)?.type === "number" ? [(e.msg as { type: number }).type] : [])));
  return { sent, failing: checkRun(realRunView(run, scenario, unit)).map((f) => f.check) };
}

describeReal("real backend: Unit 1.35 against c8d9106a", () => {
  test("1.35 puts its codes on the wire (NEW_PORT 13, READY 19, REMOVE_PID 21), c8d9106a its own (10, 16, 18), and both pass the checks", async () => {
    const s = shipped("kill-restart-app");
    const old = await sentCodes(s);
    const v135 = await sentCodes(s, "1.35");
    for (const c of [10, 16, 18]) expect(old.sent).toContain(c);
    for (const c of [13, 19, 21]) expect(v135.sent).toContain(c);
    expect(v135.sent).not.toContain(10);
    expect(old.failing).toEqual([]);
    expect(v135.failing).toEqual([]);
  }, 120_000);

  test("the pid-isolated scenario that fails #633 at c8d9106a passes at 1.35 (900828cc)", async () => {
    const s = shipped("one-app-isolated");
    expect((await sentCodes(s)).failing).toContain("table-keys-host-pids");
    expect((await sentCodes(s, "1.35")).failing).toEqual([]);
  }, 120_000);
});
