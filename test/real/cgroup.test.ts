// Unit's per-application cgroup (upstream 867a839f) on the real kernel: in a confined run Unit's
// own cgroup code makes its cgroup below the run's delegated cgroup v2 cgroup (real/run-cgroup-ns.ts),
// the prototype and its apps run in it, main removes it at shutdown, and the harness removes
// whatever Unit left, so that no cgroup outlives the run. test/lifecycle/cgroup.test.ts shows
// the same on the simulated kernel.

import { readdirSync, readFileSync } from "node:fs";

import { expect, test } from "vitest";

import { realRunView } from "../../harness/run-view.ts";
import { checkRun } from "../../properties/index.ts";
import { confinementLine } from "../../real/confine.ts";
import { processesOfRun } from "../../real/leftovers.ts";
import { runCgroupsOf } from "../../real/run-cgroup.ts";
import { runScenarioOnReal, type RealRun } from "../../real/run-real.ts";
import { cgroupScenario } from "../lifecycle/cgroup-scenario.ts";
import { describeReal } from "./native-helpers.ts";

/** The v2 cgroup of each of the run's processes (host pid), sampled while it runs. */
async function runWatchingCgroups(mutants: string[] = []): Promise<{ run: RealRun; seen: Map<number, Set<string>> }> {
  const seen = new Map<number, Set<string>>();
  let runId: string | null = null;
  const sample = setInterval(() => {
    if (runId === null) return;
    for (const pid of processesOfRun(runId)) {
      try {
        const v2 = /^0::(.*)$/m.exec(readFileSync(`/proc/${pid}/cgroup`, "utf8"))?.[1];
        if (v2 !== undefined) seen.set(pid, (seen.get(pid) ?? new Set()).add(v2));
      } catch {
        /* gone */
      }
    }
  }, 20);
  try {
    const run = await runScenarioOnReal(cgroupScenario(), { fixes: [], mutants, unit: "1.35", onStart: (id) => (runId = id) });
    return { run, seen };
  } finally {
    clearInterval(sample);
  }
}

function cgroupsOf(run: RealRun, seen: Map<number, Set<string>>, ptype: string): string[] {
  const pids = run.facts.filter((f) => f.ptype === ptype).map((f) => run.hostPids.get(f.pid)!);
  return [...new Set(pids.flatMap((p) => [...(seen.get(p) ?? [])]))].sort();
}

describeReal("real backend: Unit 1.35's cgroup for an application", () => {
  test("the prototype and its apps run in the cgroup Unit names below the run's; main removes it at shutdown; nothing is left", async () => {
    const { run, seen } = await runWatchingCgroups();
    expect(run.reason).toBe("exited");
    const runCgroup = `/nxtsim-${run.runId}`;
    expect(cgroupsOf(run, seen, "app").map((c) => c.slice(c.indexOf(runCgroup)))).toEqual([`${runCgroup}/unit/a`]);
    // The prototype is forked in main's cgroup and moved at once; after the move it is in Unit's.
    expect(cgroupsOf(run, seen, "prototype").some((c) => c.endsWith(`${runCgroup}/unit/a`))).toBe(true);
    for (const t of ["main", "router", "controller"]) for (const c of cgroupsOf(run, seen, t)) expect(c.endsWith(runCgroup), `${t} in ${c}`).toBe(true);
    const calls = run.trace.flatMap((e) => (e.kind === "syscall" && ["mkdir", "rmdir", "writeFile"].includes(e.call) && e.ret === null ? [`${e.call} ${(e.args as { path: string }).path}`] : []));
    expect(calls).toEqual(["mkdir /sys/fs/cgroup//unit", "mkdir /sys/fs/cgroup//unit/a", "writeFile /sys/fs/cgroup//unit/a/cgroup.procs", "rmdir /sys/fs/cgroup//unit/a", "rmdir /sys/fs/cgroup//unit"]);
    expect(run.confinement.unitCgroup).toMatchObject({ reason: null, leftByUnit: [] });
    expect(checkRun(realRunView(run, cgroupScenario(), "1.35")).map((v) => `${v.check}: ${v.reason}`)).toEqual([]);
    expect(runCgroupsOf([process.pid])).toEqual([]);
  }, 60_000);

  test("with the mutant cgroup-no-cleanup, cgroups-removed fails on the real kernel too, and the harness removes what Unit left", async () => {
    const { run } = await runWatchingCgroups(["cgroup-no-cleanup"]);
    expect(run.reason).toBe("exited");
    expect(checkRun(realRunView(run, cgroupScenario(), "1.35")).map((v) => v.check)).toEqual(["cgroups-removed", "cgroups-removed"]);
    expect(run.confinement.unitCgroup?.leftByUnit).toEqual(["/unit", "/unit/a"]);
    expect(runCgroupsOf([process.pid])).toEqual([]);
  }, 60_000);

  test("an unconfined run has no cgroup of its own: its summary says so, Unit's mkdir fails (EROFS) and its failure path runs, the host is untouched", async () => {
    const before = readdirSync("/sys/fs/cgroup").sort();
    const run = await runScenarioOnReal(cgroupScenario(), { fixes: [], mutants: [], unit: "1.35", unconfined: true });
    expect(confinementLine(run.confinement)).toBe("confinement: none (host namespaces)\nUnit's cgroups: NOT available (an unconfined run has no cgroup of its own): its mkdir under /sys/fs/cgroup fails");
    const failed = run.trace.find((e) => e.kind === "syscall" && e.call === "mkdir" && e.ret !== "EEXIST");
    expect(failed?.kind === "syscall" ? failed.ret : null).toBe("EROFS");
    expect(run.trace.some((e) => e.kind === "model" && (e.event as { text?: string }).text?.startsWith("cgroup: failed to add process"))).toBe(true);
    expect(readdirSync("/sys/fs/cgroup").sort()).toEqual(before);
  }, 60_000);
});
