// The user-visible differences of Unit 1.35 that the model covers, on the real kernel: the
// renumbered port message codes on the wire (the checks read them with their own copy of
// 1.35's table), and #633 gone with 900828cc. test/lifecycle/unit-versions.test.ts shows the
// same on the simulated kernel; so does the process tree of a pid-isolated application, forked
// by clone() at c8d9106a and by b0e2d9d0's double fork at 1.35.

import { expect, test } from "vitest";

import type { Scenario } from "../../catalog/scenario.ts";
import { scenarioByName } from "../../catalog/shipped-scenarios.ts";
import { realRunView } from "../../harness/run-view.ts";
import { checkRun } from "../../properties/index.ts";
import { runScenarioOnReal } from "../../real/run-real.ts";
import { isolatedWithShutdown, processTree, prototypeHandshake } from "../lifecycle/process-tree.ts";
import { UNIT_PORT_MSG_TYPES_BY_VERSION } from "../../properties/unit-rules.ts";
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

  test("the process tree: c8d9106a's main clones the prototype; 1.35's main forks a child that forks the prototype (pid 1), sends its pid over a pipe and exits; main adopts and reaps the prototype", async () => {
    const treeOf = async (unit: string, scenario: Scenario) => {
      const run = await runScenarioOnReal(scenario, { fixes: ["633"], unit });
      return { tree: processTree(run.trace, run.facts), run };
    };
    const oldRun = await treeOf("c8d9106a", isolatedWithShutdown());
    const old = oldRun.tree;
    expect(old.map((p) => [p.who, p.forkedBy, p.reapedBy])).toEqual([
      ["main", "host", null], ["discovery", "main", "main"], ["controller", "main", "main"], ["router", "main", "main"], ["prototype", "main", "main"], ["app", "prototype", "prototype"], ["app", "prototype", "prototype"],
    ]);
    expect(old.filter((p) => p.who !== "main" && p.forkedBy !== "main").map((p) => p.nspid)).toEqual([2, 3]);
    expect(old.find((p) => p.who === "prototype")!.nspid).toBe(1);

    const { tree: v135, run } = await treeOf("1.35", isolatedWithShutdown());
    expect(v135.map((p) => [p.who, p.forkedBy, p.reapedBy])).toEqual([
      ["main", "host", null], ["discovery", "main", "main"], ["controller", "main", "main"], ["router", "main", "main"], ["no type", "main", "main"], ["prototype", "no type", "main"], ["app", "prototype", "prototype"], ["app", "prototype", "prototype"],
    ]);
    expect(v135.find((p) => p.who === "no type")!.exitStatus).toBe(0);
    expect(v135.find((p) => p.who === "prototype")!.nspid).toBe(1);
    const protoPid = run.facts.find((f) => f.ptype === "prototype")!.pid;
    const read = run.trace.find((e) => e.kind === "syscall" && e.call === "read" && e.ptype === "main");
    expect(read?.kind === "syscall" ? read.ret : null).toEqual([protoPid & 0xff, (protoPid >> 8) & 0xff, 0, 0]);

    // The prototype's handshake: the same steps and messages, each under its version's codes.
    const oldShake = prototypeHandshake(oldRun.run.trace, UNIT_PORT_MSG_TYPES_BY_VERSION.c8d9106a);
    const newShake = prototypeHandshake(run.trace, UNIT_PORT_MSG_TYPES_BY_VERSION["1.35"]);
    expect(oldShake.steps.slice(0, 8)).toEqual(["child-fixup", "whoami-sent", "whoami-ok", "created-sent", "created-ok", "creds-applied", "ready-sent", "start"]);
    expect(newShake.steps).toEqual(oldShake.steps);
    expect(oldShake.sent.slice(0, 3)).toEqual(["WHOAMI", "PROCESS_CREATED", "PROCESS_READY"]);
    expect(newShake.sent.slice(0, 3)).toEqual(oldShake.sent.slice(0, 3));

    // Alive at the end of a run that settles: the prototype's parent is main, its forker long gone.
    const settled = (await treeOf("1.35", shipped("one-app-isolated"))).tree;
    expect(settled.filter((p) => p.who === "prototype" || p.who === "app").map((p) => [p.who, p.parentAtEnd])).toEqual([["prototype", "main"], ["app", "prototype"], ["app", "prototype"]]);
  }, 120_000);
});
