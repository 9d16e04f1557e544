// Unit versions as sets of upstream commits (lifecycle/options.ts): the options are the
// research's model commits, --fix 633 is the commit 900828cc, c8d9106a runs as it always did,
// and a 1.35 run puts 1.35's message codes on the wire and still passes the checks.

import { describe, expect, it } from "vitest";

import { loadUnitHistory } from "../../catalog/unit-history.ts";
import type { Scenario } from "../../catalog/scenario.ts";
import { scenarioByName } from "../../catalog/shipped-scenarios.ts";
import { checkRun } from "../../harness/checks.ts";
import { modelOptionsFor, unitVersionLine, UsageError } from "../../harness/model-options.ts";
import { runScenarioOnSim } from "../../harness/run-sim.ts";
import { isolatedWithShutdown, processTree, prototypeHandshake } from "./process-tree.ts";
import { UNIT_PORT_MSG_TYPES_BY_VERSION } from "../../properties/unit-rules.ts";
import { hasFix, hasUpstream, NOT_MODELLED_YET, UNIT_VERSIONS, UPSTREAM_COMMITS } from "../../lifecycle/options.ts";

function shipped(name: string): Scenario {
  const r = scenarioByName(name);
  if (!r.ok) throw new Error(r.error);
  return r.scenario;
}

describe("versions are sets of the upstream commits the research lists", () => {
  const history = loadUnitHistory();

  it("every model commit of the history (a maintenance-branch copy by its original) is an option, and only those", () => {
    const modelCommits = history.filter((e) => e.relevance === "model").map((e) => (e.copyOf ?? e.commit).slice(0, 8));
    expect([...new Set(modelCommits)].sort()).toEqual([...UPSTREAM_COMMITS].sort());
  });

  it("1.35 has every one of them, c8d9106a none; every one is modelled", () => {
    expect([...UNIT_VERSIONS["1.35"]].sort()).toEqual([...UPSTREAM_COMMITS].sort());
    expect(UNIT_VERSIONS.c8d9106a).toEqual([]);
    expect(NOT_MODELLED_YET).toEqual([]);
  });

  it("--fix 633 is the commit 900828cc: one option, in c8d9106a alone or as part of 1.35", () => {
    const s = shipped("one-app-isolated");
    const fixed = modelOptionsFor(s, { fixes: ["633"] });
    expect(hasUpstream(fixed, "900828cc")).toBe(true);
    expect(hasFix(fixed, "633")).toBe(true);
    expect(fixed.fixes).toEqual([]);
    expect(hasFix(modelOptionsFor(s, { unit: "1.35" }), "633")).toBe(true);
    expect(hasFix(modelOptionsFor(s), "633")).toBe(false);
    expect(() => modelOptionsFor(s, { unit: "1.34" })).toThrow(UsageError);
  });

  it("a run's header names the version, fully modelled", () => {
    expect(unitVersionLine("c8d9106a")).toBe("Unit c8d9106a");
    expect(unitVersionLine("1.35")).toBe("Unit 1.35");
  });
});

describe("runs of a version", () => {
  it("c8d9106a named or not is the same run (the default is today's model)", () => {
    const s = shipped("two-apps");
    const plain = runScenarioOnSim(s, { seed: 5, faults: { killAtStep: 0.01 } });
    const named = runScenarioOnSim(s, { seed: 5, faults: { killAtStep: 0.01 }, unit: "c8d9106a" });
    expect(named.sim.traceHash()).toBe(plain.sim.traceHash());
  });

  it("1.35 puts 1.35's codes on the wire (NEW_PORT 13, READY 19, REMOVE_PID 21, QUIT 22) and passes the checks", () => {
    const s = shipped("reconfigure-remove-app");
    const codes = (unit?: string) => {
      const run = runScenarioOnSim(s, { seed: 2, ...(unit === undefined ? {} : { unit }) });
      const sent = new Set(run.sim.trace.flatMap((e) => (e.kind === "send" ? [(e.msg as { type: number }).type] : [])));
      return { sent, failures: checkRun({ ...run, scenario: s }) };
    };
    const old = codes();
    const v135 = codes("1.35");
    for (const c of [10, 16, 18, 19]) expect(old.sent).toContain(c);
    for (const c of [13, 19, 21, 22]) expect(v135.sent).toContain(c);
    expect(v135.sent).not.toContain(10);
    expect(v135.failures).toEqual([]);
  });

  it("the pid-isolated scenario that fails #633 at c8d9106a passes at 1.35 (900828cc)", () => {
    const s = shipped("one-app-isolated");
    const failing = (unit?: string) => checkRun({ ...runScenarioOnSim(s, { seed: 1, ...(unit === undefined ? {} : { unit }) }), scenario: s }).map((f) => f.check);
    expect(failing()).toContain("table-keys-host-pids");
    expect(failing("1.35")).toEqual([]);
  });
});

describe("the process tree of a pid-isolated application (b0e2d9d0's double fork at 1.35)", () => {
  const tree = (unit: string) => {
    const run = runScenarioOnSim(isolatedWithShutdown(), { seed: 1, fixes: ["633"], unit });
    return { tree: processTree(run.sim.trace, run.sim.processes()), trace: run.sim.trace };
  };

  it("c8d9106a: main clones the prototype (pid 1 of its namespace) and reaps it at shutdown", () => {
    const { tree: t, trace } = tree("c8d9106a");
    expect(t.map((p) => [p.who, p.forkedBy])).toEqual([
      ["main", "host"], ["discovery", "main"], ["controller", "main"], ["router", "main"], ["prototype", "main"], ["app", "prototype"], ["app", "prototype"],
    ]);
    const proto = t.find((p) => p.who === "prototype")!;
    expect([proto.nspid, proto.parentAtEnd, proto.reapedBy]).toEqual([1, "main", "main"]);
    expect(t.filter((p) => p.who === "app").map((p) => [p.nspid, p.reapedBy])).toEqual([[2, "prototype"], [3, "prototype"]]);
    expect(trace.some((e) => e.kind === "syscall" && ["pipe", "unshare", "ppoll"].includes(e.call))).toBe(false);
  });

  it("the prototype's handshake: the same steps and messages at both versions, under each version's codes", () => {
    const at = (unit: "c8d9106a" | "1.35") =>
      prototypeHandshake(runScenarioOnSim(isolatedWithShutdown(), { seed: 1, fixes: ["633"], unit }).sim.trace, UNIT_PORT_MSG_TYPES_BY_VERSION[unit]);
    const old = at("c8d9106a");
    const v135 = at("1.35");
    expect(old.steps.slice(0, 8)).toEqual(["child-fixup", "whoami-sent", "whoami-ok", "created-sent", "created-ok", "creds-applied", "ready-sent", "start"]);
    expect(v135.steps).toEqual(old.steps);
    expect(old.sent.slice(0, 3)).toEqual(["WHOAMI", "PROCESS_CREATED", "PROCESS_READY"]);
    expect(v135.sent.slice(0, 3)).toEqual(old.sent.slice(0, 3));
  });

  it("1.35: main forks a child that unshares and forks the prototype (pid 1), sends its pid over a pipe and exits; main, a subreaper, adopts and reaps the prototype", () => {
    const { tree: t, trace } = tree("1.35");
    expect(t.map((p) => [p.who, p.forkedBy])).toEqual([
      ["main", "host"], ["discovery", "main"], ["controller", "main"], ["router", "main"], ["no type", "main"], ["prototype", "no type"], ["app", "prototype"], ["app", "prototype"],
    ]);
    const middle = t.find((p) => p.who === "no type")!;
    expect([middle.exitStatus, middle.reapedBy]).toEqual([0, "main"]);
    const proto = t.find((p) => p.who === "prototype")!;
    expect([proto.nspid, proto.parentAtEnd, proto.reapedBy]).toEqual([1, "main", "main"]);
    expect(t.filter((p) => p.who === "app").map((p) => [p.nspid, p.reapedBy])).toEqual([[2, "prototype"], [3, "prototype"]]);
    // main read the prototype's pid, as main numbers it, from the pipe (4 bytes, little-endian).
    const protoPid = trace.find((e) => e.kind === "model" && e.event.what === "type" && e.event.type === "prototype")!.pid;
    const read = trace.find((e) => e.kind === "syscall" && e.call === "read" && e.ptype === "main");
    expect(read?.kind === "syscall" ? read.ret : null).toEqual([protoPid & 0xff, (protoPid >> 8) & 0xff, 0, 0]);
    const mainCalls = trace.filter((e) => e.kind === "syscall" && e.ptype === "main").map((e) => (e.kind === "syscall" ? e.call : ""));
    expect(mainCalls.indexOf("prctlChildSubreaper")).toBeGreaterThan(mainCalls.indexOf("pipe"));
    expect(mainCalls.indexOf("prctlChildSubreaper")).toBeLessThan(mainCalls.indexOf("ppoll"));
  });
});
