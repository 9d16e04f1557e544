// The model's repair of Unit 1.35's per-application cgroup race (867a839f): main removes a
// prototype's cgroup when it reaps the prototype (nxt_main_process_cleanup, before it QUITs
// the prototype's apps), so a prototype that dies before its apps leaves the rmdir failing
// EBUSY, and nothing tries again. Like lifecycle/repairs.ts: switched on by its fix option
// (KNOWN_FIXES, off by default), called from the places of Unit's code it changes, and a
// no-op where no prototype has a cgroup; properties/causes.ts says what it removes.

import { alert, type Ctx } from "./context.ts";
import type { ErrnoName, Sys } from "./kernel.ts";
import { cgroupCleanupPath } from "./cgroup.ts";
import { hasFix } from "./options.ts";
import { NXT_PROCESS_MAIN, type ProcessRec } from "./state.ts";

const FIX = "cgroup-cleanup-before-apps";

/**
 * cgroup-cleanup-before-apps, in nxt_process_create's NXT_HAVE_CGROUP block once main put a
 * prototype in its cgroup: main becomes a child subreaper (the prctl and alert of 1.35's
 * nxt_process_init_pidns), so the apps of a prototype that dies before them are re-parented
 * to main and their exits reach its SIGCHLD handler, where the cgroup is tried again.
 */
export function cgroupAdoptsApps(ctx: Ctx, process: ProcessRec): void {
  if (!hasFix(ctx.s.options, FIX) || ctx.s.rt.type !== NXT_PROCESS_MAIN || process.isolation.cgroup === undefined) return;
  const err = ctx.k.prctlChildSubreaper();
  if (err !== undefined) alert(ctx, `prctl(PR_SET_CHILD_SUBREAPER) failed for ${process.name} ${err.errno}`);
}

/**
 * cgroup-cleanup-before-apps, after nxt_cgroup_cleanup at a prototype's reap: a cgroup whose
 * own rmdir failed EBUSY (the prototype's apps are still in it) is kept, to be cleaned up
 * again once main has reaped them.
 */
export function keepBusyCgroup(ctx: Ctx, process: ProcessRec, ret: "OK" | ErrnoName): void {
  const main = ctx.s.main;
  const path = process.isolation.cgroup?.path;
  if (!hasFix(ctx.s.options, FIX) || main === null || path === undefined || ret !== "EBUSY") return;
  const kept = (main.cgroupsKept ??= []);
  if (!kept.includes(path)) kept.push(path);
}

/** Whether main keeps a cgroup to clean up: exiting, it then waits for its adopted apps (repairs-shutdown.ts waitsForOrphans). */
export function cgroupsKept(ctx: Ctx): boolean {
  return (ctx.s.main?.cgroupsKept?.length ?? 0) > 0;
}

/**
 * cgroup-cleanup-before-apps, where main reaps a child it has no record of (an adopted app of
 * a reaped prototype) and where, exiting, it finds no child left: nxt_cgroup_cleanup again
 * for each kept cgroup; one whose rmdir no longer fails EBUSY is no longer kept.
 */
export function* cgroupCleanupKept(ctx: Ctx): Sys<void> {
  const main = ctx.s.main;
  if (main === null || main.cgroupsKept === undefined) return;
  const still: string[] = [];
  for (const path of main.cgroupsKept) {
    if ((yield* cgroupCleanupPath(ctx, path)) === "EBUSY") still.push(path);
  }
  main.cgroupsKept = still;
}
