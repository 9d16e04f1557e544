// What /proc shows of a real run, against what the model and the scenario say; and Unit's
// #633 reproduced on the real kernel.

import { expect, test } from "vitest";

import { loadBugFixture } from "../../catalog/bugs.ts";
import type { Scenario } from "../../catalog/scenario.ts";
import { scenarioByName } from "../../catalog/shipped-scenarios.ts";
import { realRunView } from "../../harness/run-view.ts";
import { checkRun } from "../../properties/index.ts";
import type { KernelFacts } from "../../properties/check.ts";
import { runScenarioOnReal } from "../../real/run-real.ts";
import { describeReal } from "./native-helpers.ts";

function shipped(name: string): Scenario {
  const r = scenarioByName(name);
  if (!r.ok) throw new Error(r.error);
  return r.scenario;
}

/** "0 500000 65536" as /proc prints it (padded columns), one entry per line. */
function mapLines(text: string): string[] {
  return text
    .trim()
    .split("\n")
    .map((l) => l.trim().split(/\s+/).join(" "));
}

describeReal("real backend: the isolated scenario in /proc", () => {
  test("prototype is pid 1 of its namespace, its apps 2 and 3; uid_map is the configured map; SCM_CREDENTIALS pids are the real pids", async () => {
    const scenario = shipped("one-app-isolated");
    const run = await runScenarioOnReal(scenario, { fixes: ["633"] });
    expect(run.reason).toBe("settled");
    const of = (type: string): KernelFacts[] => run.facts.filter((f) => f.ptype === type && f.status === "running");
    const [proto] = of("prototype");
    const apps = of("app");
    expect(proto).toBeDefined();
    expect(proto!.nspids.at(-1)).toBe(1);
    expect(apps.map((a) => a.nspids.at(-1)).sort()).toEqual([2, 3]);

    const app = (scenario.config as { applications: Record<string, { isolation: { uidmap: { container: number; host: number; size: number }[] } }> }).applications["a"]!;
    const configured = app.isolation.uidmap.map((m) => `${m.container} ${m.host} ${m.size}`);
    for (const p of [proto!, ...apps]) expect(mapLines(run.idMaps.get(p.pid)!.uidMap)).toEqual(configured);

    // Every pid main learnt through SCM_CREDENTIALS is the sender's real pid in main's namespace.
    const main = run.facts.find((f) => f.ptype === "main")!;
    const level = main.nspids.length - 1;
    const byPid = new Map(run.facts.map((f) => [f.pid, f]));
    const learnt = run.trace.filter((e) => e.kind === "recv" && e.pid === main.pid);
    expect(learnt.length).toBeGreaterThan(5);
    for (const e of learnt) {
      if (e.kind !== "recv") continue;
      const sender = byPid.get(e.from);
      expect(sender, `recv at step ${e.step} from ${e.from}`).toBeDefined();
      expect(e.credPid).toBe(sender!.nspids[level]);
    }
    // And the model's own view: the WHOAMI reply gives each isolated process its pid in main's namespace.
    const whoamiOk = run.trace.filter((e) => e.kind === "model" && e.event.what === "handshake" && e.event.step === "whoami-ok");
    for (const e of whoamiOk) {
      const facts = byPid.get(e.pid)!;
      if (e.kind !== "model" || e.event.what !== "handshake") continue;
      expect((e.event.detail as { pid: number }).pid).toBe(facts.nspids[level]);
    }
    expect(whoamiOk.length).toBe(3);
  });
});

describeReal("real backend: Unit #633", () => {
  test("the default c8d9106a model collides and aborts on the real kernel; with the upstream fix it does not", async () => {
    const fixture = loadBugFixture("633");
    const buggy = await runScenarioOnReal(fixture.scenario, { fixes: [] });
    const found = checkRun(realRunView(buggy, fixture.scenario)).filter((v) => v.check === fixture.check);
    expect(found.map((v) => v.reason)).toEqual(expect.arrayContaining([expect.stringMatching(fixture.reason)]));

    const fixed = await runScenarioOnReal(fixture.scenario, { fixes: ["633"] });
    expect(checkRun(realRunView(fixed, fixture.scenario)).filter((v) => v.check === fixture.check)).toEqual([]);
  });
});
