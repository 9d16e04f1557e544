// Unit's cgroups (upstream 867a839f, src/nxt_cgroup.c): main makes an application's cgroup
// when it forks the prototype (nxt_cgroup_proc_add: mkdir of each missing directory under the
// cgroup2 mount) and removes it again when it reaps the prototype (nxt_main_process_cleanup ->
// nxt_cgroup_cleanup: rmdir of the cgroup and of its parents up to main's own cgroup). So once
// main has exited of its own accord, no cgroup it made is left. Read from the trace's file
// calls alone (mkdir/rmdir that succeeded), on either backend.

import type { Check, RunView, Violation } from "../check.ts";
import { mainKilled } from "./end-state.ts";

export const cgroupsRemoved: Check = {
  name: "cgroups-removed",
  claim: "every directory main made under the cgroup2 mount for a prototype's cgroup (nxt_cgroup_proc_add) has been removed again (nxt_cgroup_cleanup) when main exits, unless main was SIGKILLed",
  check: (run) => {
    const main = run.facts.find((f) => f.ptype === "main");
    if (main === undefined || mainKilled(run, main.pid)) return [];
    const mainExit = run.trace.find((e) => e.kind === "exit" && e.pid === main.pid);
    if (mainExit === undefined) return [];
    const left = madeAndNotRemoved(run, mainExit.step);
    return left.map((dir): Violation => ({ check: "cgroups-removed", reason: `cgroup ${dir} that main made is still there when main ${main.pid} exits`, step: mainExit.step }));
  },
};

/** Directories made by a successful mkdir and not removed by a successful rmdir up to `step`, in the order made. */
function madeAndNotRemoved(run: RunView, step: number): string[] {
  const made: string[] = [];
  for (const e of run.trace) {
    if (e.step > step) break;
    if (e.kind !== "syscall" || e.ret !== null) continue;
    const path = (e.args as { path?: unknown } | null)?.path;
    if (typeof path !== "string") continue;
    const dir = resolved(path);
    if (e.call === "mkdir") made.push(dir);
    if (e.call === "rmdir" && made.includes(dir)) made.splice(made.indexOf(dir), 1);
  }
  return made;
}

/** The path as the kernel resolves it ("//" is "/"; Unit's relative cgroup paths have one). */
function resolved(path: string): string {
  return `/${path.split("/").filter((p) => p !== "" && p !== ".").join("/")}`;
}
