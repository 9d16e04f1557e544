// Process life and death in the kernel: signal generation and delivery, exit into a
// zombie, reparenting of orphans, reaping, and the teardown of a pid namespace whose
// init died.

import type { Continuation, Signal } from "../lifecycle/kernel.ts";
import { SIGCHLD, SIGKILL } from "../lifecycle/kernel.ts";
import { PipeEnd, pipeCloseSeenElsewhere } from "./pipes.ts";
import { releasePids } from "./pids.ts";
import type { ExitInfo, SimProcess } from "./process.ts";
import { defaultAction } from "./signals.ts";
import { releaseSeenElsewhere, SocketEnd } from "./sockets.ts";
import { HOST_INIT, type World } from "./world.ts";

/** Registers a new process (host pid and namespace pids already allocated). */
export function adoptNewProcess(world: World, proc: SimProcess, first: Continuation): void {
  proc.work.push(first);
  world.addProc(proc);
  world.allProcs.push(proc);
  proc.parent?.children.add(proc);
}

/**
 * Generates a signal for `target`. `sender` null means the kernel or the harness (both
 * outside every pid namespace). Signals the target ignores are discarded at once.
 */
export function sendSignal(world: World, target: SimProcess, sig: Signal, sender: SimProcess | null): void {
  if (!target.alive) return;
  const fromAncestor = sender === null || sender.pidNs.isAncestorOf(target.pidNs);
  if (sig === SIGKILL) {
    // A namespace init can only be SIGKILLed from an ancestor namespace.
    if (target.isNsInit && !fromAncestor) {
      world.record(target, { kind: "signal", sig, action: "ignore" });
      return;
    }
    // Generation only queues it and wakes the target, which dies at its own next step:
    // kill() returns before the victim is gone (the real kernel shows sends succeeding after it).
    target.signals.raise(SIGKILL);
    target.touch();
    return;
  }
  if (target.signals.ignores(sig) || (target.isNsInit && target.signals.disposition(sig) === "default")) {
    world.record(target, { kind: "signal", sig, action: "ignore" });
    return;
  }
  target.signals.raise(sig);
  target.touch();
}

/**
 * Delivers a pending signal. Returns the handler continuation to run (arg = the signal
 * number), or null when the default action or ignoring was applied here.
 */
export function deliverSignal(world: World, proc: SimProcess, sig: Signal): Continuation | null {
  proc.signals.take(sig);
  const d = proc.signals.disposition(sig);
  if (typeof d === "object") {
    world.record(proc, { kind: "signal", sig, action: "handler" });
    return { fn: d.fn, arg: sig };
  }
  // An init's protection was applied when a SIGKILL was generated (only an ancestor's is queued).
  if (d === "ignore" || defaultAction(sig) === "ignore" || (proc.isNsInit && sig !== SIGKILL)) {
    world.record(proc, { kind: "signal", sig, action: "ignore" });
    return null;
  }
  world.record(proc, { kind: "signal", sig, action: "default" });
  die(world, proc, { status: null, signal: sig });
  return null;
}

/**
 * The process exits (or is killed): do_exit. It runs no more code of its own, and its exit
 * goes on in steps of its own while others run: each release of a socket end another process
 * can see is two points (as close's is), and a namespace init then waits for its members.
 * Its last step makes it a zombie and tells its parent (exitStep).
 */
export function die(world: World, proc: SimProcess, exit: ExitInfo): void {
  if (!proc.alive) return;
  proc.touch();
  proc.status = "exiting";
  proc.exit = exit;
  // A handler it was in the middle of never goes on.
  proc.running = null;
  proc.pendingExit = null;
  proc.position = null;
  world.record(proc, { kind: "exit", status: exit.status, signal: exit.signal });
  for (const id of proc.timers.keys()) world.clock.cancel(id);
  proc.timers.clear();
  if (proc.polling !== null) world.clock.cancel(proc.polling.timer);
  proc.polling = null;
  proc.dueTimers.length = 0;
  proc.work.length = 0;
  proc.watches.clear();
  proc.signals.clearPending();
  // A close it was in the middle of completes in the kernel first (its second half is the next step).
  if (proc.releasing === null) releaseFiles(world, proc);
}

/** One step of an exiting process: the second half of the release it stands in, or on to the next. */
export function exitStep(world: World, proc: SimProcess): void {
  if (proc.status !== "exiting") throw new Error(`exit step of a ${proc.status} process ${proc.hostPid}`);
  if (proc.releasing !== null) {
    // A step of its own: the peer may act on its EOF before the next file goes.
    proc.releasing.finishRelease();
    proc.releasing = null;
  } else if (proc.zapping) exitNotify(world, proc);
  else releaseFiles(world, proc);
}

/** Whether an exiting process can take its next step (an init in zap_pid_ns_processes waits for its members). */
export function exitCanStep(world: World, proc: SimProcess): boolean {
  if (!proc.zapping) return true;
  for (const hostPid of proc.pidNs.members.values()) {
    const member = world.proc(hostPid);
    if (member !== undefined && member !== proc && member.status !== "zombie") return false;
  }
  return true;
}

/**
 * exit_files then exit_task_work: the last reference of each file is dropped by a task_work
 * (____fput), and task works run newest first since Linux 4.3, so files are released from the
 * highest fd down. Stops at the first end whose release another process can see: a pipe end
 * released (the rest go at the next step), a socket end with its first half done (its second
 * half is the next step); with none left, goes on to exit_notify.
 */
function releaseFiles(world: World, proc: SimProcess): void {
  for (const fd of proc.fds.fds().reverse()) {
    const file = proc.fds.detach(fd)!;
    if (file instanceof PipeEnd) {
      // One step: its reader sees POLLHUP (or its writer EPIPE) before the next file goes.
      const seen = pipeCloseSeenElsewhere(file, proc.fds);
      file.release();
      if (seen) return;
    } else if (!(file instanceof SocketEnd)) file.release();
    else if (file.dropReference()) {
      if (releaseSeenElsewhere(file, proc.fds)) {
        proc.releasing = file;
        return;
      }
      file.finishRelease();
    }
  }
  exitNotify(world, proc);
}

/**
 * exit_notify: orphans go to their new reaper, then the process is a zombie and its parent is
 * told. A namespace init first kills every member and waits until all are zombies.
 */
function exitNotify(world: World, proc: SimProcess): void {
  if (proc.isNsInit) {
    if (!proc.zapping) {
      proc.zapping = true;
      if (zapPidNamespace(world, proc)) return; // members to wait for: a later step goes on
    }
    reapMembers(world, proc);
  } else reparentChildren(world, proc);
  proc.status = "zombie";
  notifyParent(world, proc);
}

/** zap_pid_ns_processes: the init's exit SIGKILLs every other member; true when some must still exit. */
function zapPidNamespace(world: World, init: SimProcess): boolean {
  const ns = init.pidNs;
  ns.adding = false;
  const members = [...ns.members.values()].filter((h) => h !== init.hostPid).sort((a, b) => a - b);
  for (const hostPid of members) {
    const member = world.proc(hostPid);
    if (member !== undefined) sendSignal(world, member, SIGKILL, null);
  }
  return !exitCanStep(world, init);
}

/** The dying init reaps its members (orphans go to it while it dies). */
function reapMembers(world: World, init: SimProcess): void {
  for (const child of [...init.children]) {
    if (child.status === "zombie") reap(world, init, child);
  }
}

/**
 * find_new_reaper: the nearest living child-subreaper ancestor inside the father's pid
 * namespace, else that namespace's init; null is the host's virtual init.
 */
function findReaper(world: World, father: SimProcess): SimProcess | null {
  const ns = father.pidNs;
  for (let a = father.parent; a !== null && a.pidNs === ns && !a.isNsInit; a = a.parent) {
    if (a.subreaper && a.alive) return a;
  }
  if (ns.parent === null) return null;
  return world.proc(ns.initHostPid) ?? null;
}

function reparentChildren(world: World, father: SimProcess): void {
  if (father.children.size === 0) return;
  const orphans = [...father.children];
  father.children.clear();
  const reaper = findReaper(world, father);
  for (const child of orphans) {
    child.parent = reaper;
    reaper?.children.add(child);
    if (child.status === "zombie") notifyParent(world, child); // reparent_leader
  }
}

/** do_notify_parent: SIGCHLD, or an immediate reap when the parent ignores SIGCHLD. */
function notifyParent(world: World, child: SimProcess): void {
  const parent = child.parent;
  if (parent === null) {
    reap(world, null, child);
    return;
  }
  if (!parent.alive) return; // a dying namespace init reaps its members itself
  if (parent.signals.disposition(SIGCHLD) === "ignore") {
    reap(world, parent, child);
    return;
  }
  sendSignal(world, parent, SIGCHLD, null);
}

/** Releases a zombie: its pids become free and it leaves its parent's children. */
export function reap(world: World, reaper: SimProcess | null, child: SimProcess): void {
  if (child.status !== "zombie") throw new Error(`reap of a ${child.status} process ${child.hostPid}`);
  child.status = "reaped";
  world.removeProc(child);
  releasePids(child.pids);
  child.parent?.children.delete(child);
  world.record(reaper ?? HOST_INIT, {
    kind: "reap",
    child: child.hostPid,
    status: child.exit?.status ?? null,
    signal: child.exit?.signal ?? null,
  });
}
