// nxt_main_process.c: main's signal handlers: SIGTERM/SIGQUIT, and the SIGCHLD loop that reaps
// every exited child, cleans up after it and restarts what Unit restarts.

import { alert, port, proc, type Ctx } from "./context.ts";
import type { Sys } from "./kernel.ts";
import { hasMutant } from "./options.ts";
import { NXT_PORT_MSG_QUIT } from "./port-messages.ts";
import { portRemoveNotifyOthers } from "./port.ts";
import { portSocketWrite } from "./port-socket.ts";
import { processClosePorts, processInitOf, processInitStart, processUse, waitpidNext } from "./process.ts";
import { runtimeProcessFind, runtimeQuit } from "./runtime.ts";
import { NXT_PROCESS_STATE_READY, type ProcessRec } from "./state.ts";
import { deadRecordOf, traceTableSnapshot } from "./table-report.ts";
import { cgroupCleanup } from "./cgroup.ts";
import { readBeforeReap } from "./repairs.ts";
import { restartsDiscovery, retryRestart } from "./repairs-starts.ts";
import { quitWhenNoChildLeft, waitsForOrphans } from "./repairs-shutdown.ts";
import { cgroupCleanupKept, keepBusyCgroup } from "./repairs-cgroup.ts";
import { mainGlobals } from "./main-process.ts";

/** nxt_main_process_sigterm_handler */
export function* mainProcessSigtermHandler(ctx: Ctx, _sig: number): Sys<void> {
  mainGlobals(ctx).exiting = true;
  yield* runtimeQuit(ctx, 0);
}

/** nxt_main_process_sigquit_handler */
export function* mainProcessSigquitHandler(ctx: Ctx, _sig: number): Sys<void> {
  mainGlobals(ctx).exiting = true;
  yield* runtimeQuit(ctx, 0);
}

/** nxt_main_process_cleanup: isolation cleanup (rootfs unmount: nothing to unmount here), then the cgroup's (867a839f). */
export function* mainProcessCleanup(ctx: Ctx, process: ProcessRec): Sys<void> {
  if (process.isolation.cgroupCleanup === "cgroupCleanup" && !hasMutant(ctx.s.options, "cgroup-no-cleanup")) {
    keepBusyCgroup(ctx, process, yield* cgroupCleanup(ctx, process));
  }
}

/** nxt_main_process_sigchld_handler: reap every exited child (the #600 mutant stops after one once exiting). */
export function* mainProcessSigchldHandler(ctx: Ctx, _sig: number): Sys<void> {
  const main = mainGlobals(ctx);
  const rt = ctx.s.rt;
  for (;;) {
    const w = yield* waitpidNext(ctx, "process %PI");
    if (w === null) {
      return;
    }
    const found = runtimeProcessFind(ctx, w.pid);
    const process = found === null ? null : yield* readBeforeReap(ctx, found);
    if (process === null) {
      const waiting = waitsForOrphans(ctx);
      yield* cgroupCleanupKept(ctx);
      if (waiting) return yield* quitWhenNoChildLeft(ctx);
      continue;
    }
    traceTableSnapshot(ctx, "reap", deadRecordOf(ctx, process));
    yield* mainProcessCleanup(ctx, process);
    if (process.state === NXT_PROCESS_STATE_READY) {
      process.stream = 0;
    }
    // The children list moves into a local list (the records stay linked there).
    const children = process.children;
    process.children = [];
    for (const childOid of children) {
      const child = proc(ctx, childOid);
      const first = child.ports[0];
      if (first !== undefined) {
        yield* portSocketWrite(ctx, port(ctx, first), NXT_PORT_MSG_QUIT, -1, -1, 0, 0, null);
      }
    }
    if (main.exiting) {
      yield* processClosePorts(ctx, process);
      for (const childOid of children) {
        const child = proc(ctx, childOid);
        child.link = null;
        yield* processClosePorts(ctx, child);
      }
      if (rt.nprocesses <= 1) {
        if (waitsForOrphans(ctx)) return yield* quitWhenNoChildLeft(ctx);
        yield* runtimeQuit(ctx, 0);
        return;
      }
      if (hasMutant(ctx.s.options, "600")) {
        // Unit before 2bc95990: the exiting branch returns after one child; SIGCHLD does not queue.
        return;
      }
      continue;
    }
    yield* portRemoveNotifyOthers(ctx, process);
    for (const childOid of children) {
      const child = proc(ctx, childOid);
      yield* portRemoveNotifyOthers(ctx, child);
      child.link = null;
      yield* processClosePorts(ctx, child);
    }
    const init = { ...processInitOf(process) };
    yield* processClosePorts(ctx, process);
    if (hasMutant(ctx.s.options, "release-twice")) {
      // A stray reference taken and dropped on a record that may already be released.
      processUse(ctx, process, 1);
      processUse(ctx, process, -1);
    }
    if (init.restart || restartsDiscovery(ctx, init)) {
      if ((yield* processInitStart(ctx, init)) === "ERROR") {
        alert(ctx, `failed to restart ${init.name}`);
        retryRestart(ctx, init);
      }
    }
  }
}
