// The model's repairs of how main ends its shutdown (the exit check of
// nxt_main_process_sigchld_handler). Like lifecycle/repairs.ts: each is switched on by its fix
// option (KNOWN_FIXES, off by default) and called from the one place of Unit's code it
// changes; properties/causes.ts says what each removes.

import { alert, type Ctx } from "./context.ts";
import { isErrno, type Sys } from "./kernel.ts";
import { hasFix } from "./options.ts";
import { cgroupCleanupKept, cgroupsKept } from "./repairs-cgroup.ts";
import { runtimeQuit } from "./runtime.ts";
import { NXT_PROCESS_MAIN } from "./state.ts";

/**
 * main-adopts-orphans, at main's start: main becomes a child subreaper, so the apps of a
 * prototype that dies are re-parented to main instead of init. Unit 1.35 sets it too
 * (b0e2d9d0, in nxt_process_init_pidns, before forking a pid-isolated prototype), with the
 * same alert when prctl fails; the repair sets it for every prototype, at main's start: set
 * only when the shutdown begins, it misses a prototype that dies just before main handles the
 * signal (its apps go to init, and outlive main). Main then also reaps apps orphaned outside
 * a shutdown, so a replay with it diverges at the first prototype's death.
 */
export function mainBecomesSubreaper(ctx: Ctx): void {
  if (!hasFix(ctx.s.options, "main-adopts-orphans")) return;
  const err = ctx.k.prctlChildSubreaper();
  if (err !== undefined) alert(ctx, `prctl(PR_SET_CHILD_SUBREAPER) failed for main ${err.errno}`);
}

/**
 * main-adopts-orphans: whether main's exiting SIGCHLD handler, with no record left but its own
 * (nprocesses <= 1), must first see that no child is left at all: the adopted apps of a
 * prototype it reaped are not in its table (their records were closed with the prototype's).
 * cgroup-cleanup-before-apps waits so too while it keeps a cgroup those apps hold.
 */
export function waitsForOrphans(ctx: Ctx): boolean {
  const main = ctx.s.main;
  const waits = hasFix(ctx.s.options, "main-adopts-orphans") || cgroupsKept(ctx);
  return waits && ctx.s.rt.type === NXT_PROCESS_MAIN && main !== null && main.exiting && ctx.s.rt.nprocesses <= 1;
}

/**
 * main-adopts-orphans: main's exit check once it waits for orphans only: it reaps what has
 * exited and quits when waitpid says no child is left (ECHILD); an orphan still running
 * brings this check back with its SIGCHLD. Main QUIT them when it reaped their prototype.
 */
export function* quitWhenNoChildLeft(ctx: Ctx): Sys<void> {
  for (;;) {
    const w = yield* ctx.k.waitpid();
    if (w === 0) return;
    if (!isErrno(w)) continue; // an orphan that exited: it has no record to act for
    if (w.errno === "EINTR") continue;
    yield* cgroupCleanupKept(ctx);
    yield* runtimeQuit(ctx, 0);
    return;
  }
}

/**
 * exit-check-on-release: main, exiting, runs its exit check (nxt_main_process_sigchld_handler's
 * rt->nprocesses <= 1, then nxt_runtime_quit) also where a queued message's port reference,
 * given back by nxt_port_write_handler or nxt_port_error_handler, released the last record but
 * its own. Unit checks only after a reap, and a record that a QUIT queued on EAGAIN kept alive
 * past main's last SIGCHLD left main waiting for ever. `before` is nprocesses when the handler
 * began: only a release made here runs the check (a SIGCHLD handler that saw <= 1 has quit).
 */
export function* exitCheckOnRelease(ctx: Ctx, before: number): Sys<void> {
  const main = ctx.s.main;
  if (!hasFix(ctx.s.options, "exit-check-on-release") || ctx.s.rt.type !== NXT_PROCESS_MAIN || main === null || !main.exiting) return;
  if (before <= 1 || ctx.s.rt.nprocesses > 1) return;
  if (waitsForOrphans(ctx)) return yield* quitWhenNoChildLeft(ctx);
  yield* runtimeQuit(ctx, 0);
}
