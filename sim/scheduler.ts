// What can run next. A step is one scheduling point of one process: it starts a handler
// and runs it up to its first point, or resumes a handler suspended at a point, makes that
// call, and runs on to the next point (or the handler's end). The chooser picks which
// process steps. Events are listed in a fixed order (harness first, then by host pid) so a
// choice index means the same thing in every run with the same history.
//
// Per process this follows Unit's event engine (nxt_event_engine_start): posted work is
// drained before the engine polls, so while a process has queued work only the head of
// its queue is offered. Otherwise it offers its next pending signal, each readable watched
// fd and each due timer. A signal whose action is the kernel's default (terminate) needs
// no cooperation from the process and is offered even while work is queued.
//
// The set is kept up to date as events happen rather than rebuilt every step: each live
// process keeps the list of events it offers (SimProcess.offered) until something it
// offers may have changed (SimProcess.touch): a step of its own, a signal generated for it,
// work posted to it, a timer of its own falling due, or a change of the readiness of a
// socket end it watches (SocketEnd.changed). An exiting process is asked every step (a
// namespace init's exit waits on its members). A process asleep in ppoll offers its resume
// only once it may wake (its pipe's readiness touches it as a socket end's does).
// SimOptions.checkRunnable compares the kept set with a rebuilt one at every step (the tests).

import { SIGKILL, type Signal } from "../lifecycle/kernel.ts";
import type { SimProcess } from "./process.ts";
import { defaultAction } from "./signals.ts";
import { exitCanStep } from "./tasks.ts";
import { SocketEnd } from "./sockets.ts";
import { PipeEnd, pipeRevents } from "./pipes.ts";
import type { HarnessAction, World } from "./world.ts";

export type Runnable =
  | { readonly kind: "action"; readonly action: HarnessAction }
  /** A process in the middle of a handler (or with an exit made, or in its exit) takes its next step. */
  | { readonly kind: "resume"; readonly proc: SimProcess }
  | { readonly kind: "work"; readonly proc: SimProcess }
  | { readonly kind: "signal"; readonly proc: SimProcess; readonly sig: Signal }
  | { readonly kind: "readable"; readonly proc: SimProcess; readonly fd: number; readonly fn: string }
  | { readonly kind: "timer"; readonly proc: SimProcess; readonly id: number };

/**
 * Every event is built here with the same fields in the same order, the ones its kind does
 * not use set to null or 0: the step reads events of every kind at the same sites, where six
 * object shapes made V8's loads megamorphic.
 */
function shaped(kind: Runnable["kind"], proc: SimProcess | null, action: HarnessAction | null, sig: number, fd: number, fn: string, id: number): Runnable {
  return { kind, proc, action, sig, fd, fn, id } as unknown as Runnable;
}

export const actionEvent = (action: HarnessAction): Runnable => shaped("action", null, action, 0, 0, "", 0);
export const resumeEventOf = (proc: SimProcess): Runnable => shaped("resume", proc, null, 0, 0, "", 0);
export const workEventOf = (proc: SimProcess): Runnable => shaped("work", proc, null, 0, 0, "", 0);
const signalEvent = (proc: SimProcess, sig: Signal): Runnable => shaped("signal", proc, null, sig, 0, "", 0);
const readableEvent = (proc: SimProcess, fd: number, fn: string): Runnable => shaped("readable", proc, null, 0, fd, fn, 0);
const timerEvent = (proc: SimProcess, id: number): Runnable => shaped("timer", proc, null, 0, 0, "", id);

/**
 * A list of events reused from step to step: the first `count` of `items` are current. A
 * new array every step was a tenth of a run's allocation, and it is never truncated
 * because V8 frees an array's store when its length is set to 0.
 */
export class RunnableList {
  readonly items: Runnable[] = [];
  count = 0;

  add(e: Runnable): void {
    this.items[this.count++] = e;
  }

  /** The current events, as a new array. */
  toArray(): Runnable[] {
    return this.items.slice(0, this.count);
  }
}

/** The runnable events now, listed into `into` (emptied first). */
export function runnableEvents(world: World, into: RunnableList = new RunnableList()): RunnableList {
  into.count = 0;
  const action = world.dueActions[0];
  if (action !== undefined) into.add(actionEvent(action));
  for (const proc of world.sortedProcs()) {
    if (proc.alive) {
      let offered = proc.offered;
      if (offered === null || proc.offeredStale) {
        offered ??= proc.offered = new RunnableList();
        offered.count = 0;
        collectFor(proc, offered);
        proc.offeredStale = false;
      }
      const items = offered.items;
      for (let i = 0; i < offered.count; i++) into.add(items[i]!);
    } else if (proc.status === "exiting" && exitCanStep(world, proc)) into.add(proc.resumeEvent);
  }
  return into;
}

/** The runnable events rebuilt from scratch, ignoring what processes kept (to check the kept set). */
export function rebuiltRunnableEvents(world: World): RunnableList {
  const events = new RunnableList();
  const action = world.dueActions[0];
  if (action !== undefined) events.add(actionEvent(action));
  for (const proc of world.sortedProcs()) {
    if (proc.alive) collectFor(proc, events);
    else if (proc.status === "exiting" && exitCanStep(world, proc)) events.add(proc.resumeEvent);
  }
  return events;
}

function collectFor(proc: SimProcess, events: RunnableList): void {
  const sig = proc.signals.next();
  if (sig === SIGKILL) {
    // Nothing new starts once SIGKILL is queued; a call the process stands before may still
    // be made (it entered the kernel before the signal's wake-up), and it dies on return.
    events.add(signalEvent(proc, sig));
    if (proc.running !== null || proc.pendingExit !== null) events.add(proc.resumeEvent);
    return;
  }
  if (proc.running !== null || proc.pendingExit !== null) {
    // Inside a handler the event loop is not polled: it goes on to its next point, unless
    // a signal kills it first.
    if (sig !== undefined && runsWithoutHandler(proc, sig)) events.add(signalEvent(proc, sig));
    if (proc.polling === null || pollWakes(proc)) events.add(proc.resumeEvent);
    return;
  }
  const hasWork = proc.work.length > 0;
  if (sig !== undefined && (!hasWork || runsWithoutHandler(proc, sig))) events.add(signalEvent(proc, sig));
  if (hasWork) {
    events.add(proc.workEvent);
    return;
  }
  // Readable watched fds in ascending fd order: filtering before sorting (fds are unique
  // keys) gives the same order without copying and sorting every watch on every step; an
  // insertion sort in place, as there are a handful.
  const from = events.count;
  for (const [fd, fn] of proc.watches) {
    const file = proc.fds.get(fd)?.file;
    if (file instanceof SocketEnd && file.readable()) {
      const e = readableEvent(proc, fd, fn);
      const items = events.items;
      let at = events.count;
      events.add(e);
      for (; at > from && fdOf(items[at - 1]!) > fd; at--) items[at] = items[at - 1]!;
      items[at] = e;
    }
  }
  for (const id of proc.dueTimers) events.add(timerEvent(proc, id));
}

function fdOf(e: Runnable): number {
  return e.kind === "readable" ? e.fd : 0;
}

/** Whether a process asleep in ppoll may wake: its fd is ready, its time is out, or SIGINT/SIGTERM interrupts it. */
function pollWakes(proc: SimProcess): boolean {
  const wait = proc.polling!;
  if (wait.timedOut || proc.pollInterrupted()) return true;
  const file = proc.fds.get(wait.fd)?.file;
  return file instanceof PipeEnd && pipeRevents(file, wait.events) !== 0;
}

function runsWithoutHandler(proc: SimProcess, sig: Signal): boolean {
  return proc.signals.disposition(sig) === "default" && defaultAction(sig) !== "ignore";
}

/**
 * A short name for an event, given to choice policies: "<process>:<kind>[:<which>]", where
 * the process is a host pid or "harness" and `which` tells a process's signals, fds and
 * timers apart. Unique among the events of one step.
 */
export function eventKey(e: Runnable): string {
  switch (e.kind) {
    case "action":
      return "harness:action";
    case "resume":
      return `${e.proc.hostPid}:resume`;
    case "work":
      return `${e.proc.hostPid}:work`;
    case "signal":
      return `${e.proc.hostPid}:signal:${e.sig}`;
    case "readable":
      return `${e.proc.hostPid}:readable:${e.fd}`;
    case "timer":
      return `${e.proc.hostPid}:timer:${e.id}`;
  }
}

/** The process part of an event key ("harness" for harness actions). */
export function processOfKey(key: string): string {
  const colon = key.indexOf(":");
  return colon < 0 ? key : key.slice(0, colon);
}

/** The kind part of an event key: action, resume, work, signal, readable or timer. */
export function kindOfKey(key: string): string {
  return key.split(":")[1] ?? "";
}
