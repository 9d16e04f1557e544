// Process life and death in the kernel: signal generation and delivery, exit into a
// zombie, reparenting of orphans, reaping, and the teardown of a pid namespace whose
// init died.

import type { Continuation, Signal } from "../lifecycle/kernel.ts";
import { SIGCHLD, SIGKILL } from "../lifecycle/kernel.ts";
import { releasePids } from "./pids.ts";
import type { ExitInfo, SimProcess } from "./process.ts";
import { defaultAction } from "./signals.ts";
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
    world.record(target, { kind: "signal", sig, action: "default" });
    die(world, target, { status: null, signal: SIGKILL });
    return;
  }
  if (target.signals.ignores(sig) || (target.isNsInit && target.signals.disposition(sig) === "default")) {
    world.record(target, { kind: "signal", sig, action: "ignore" });
    return;
  }
  target.signals.raise(sig);
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
  if (d === "ignore" || defaultAction(sig) === "ignore" || proc.isNsInit) {
    world.record(proc, { kind: "signal", sig, action: "ignore" });
    return null;
  }
  world.record(proc, { kind: "signal", sig, action: "default" });
  die(world, proc, { status: null, signal: sig });
  return null;
}

/** The process exits (or is killed): it becomes a zombie and its parent is told. */
export function die(world: World, proc: SimProcess, exit: ExitInfo): void {
  if (!proc.alive) return;
  proc.status = "zombie";
  proc.exit = exit;
  // A handler it was in the middle of never goes on.
  proc.running = null;
  proc.pendingExit = null;
  proc.position = null;
  world.record(proc, { kind: "exit", status: exit.status, signal: exit.signal });
  for (const id of proc.timers.keys()) world.clock.cancel(id);
  proc.timers.clear();
  proc.dueTimers.length = 0;
  proc.work.length = 0;
  proc.watches.clear();
  proc.signals.clearPending();
  proc.fds.closeAll();
  if (proc.isNsInit) zapPidNamespace(world, proc);
  else reparentChildren(world, proc);
  notifyParent(world, proc);
}

/** zap_pid_ns_processes: the init's death SIGKILLs every other member, and it reaps them all. */
function zapPidNamespace(world: World, init: SimProcess): void {
  const ns = init.pidNs;
  ns.adding = false;
  const members = [...ns.members.values()].filter((h) => h !== init.hostPid).sort((a, b) => a - b);
  for (const hostPid of members) {
    const member = world.proc(hostPid);
    if (member === undefined || !member.alive) continue;
    world.record(member, { kind: "signal", sig: SIGKILL, action: "default" });
    die(world, member, { status: null, signal: SIGKILL });
  }
  // Every member is now a zombie handed to the init (orphans go to it while it dies).
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
