// The run loop: pick one runnable event, run it to the process's next scheduling point,
// advance the clock.

import type { Continuation, Json, Signal } from "../lifecycle/kernel.ts";
import { EXITED, ProcessGone, SIGKILL } from "../lifecycle/kernel.ts";
import type { Program } from "../lifecycle/program.ts";
import type { TraceEvent } from "../lifecycle/trace.ts";
import { factsOf, type ProcessFacts } from "./facts.ts";
import { faultRates } from "./faults.ts";
import { FdTable } from "./fds.ts";
import { copyPlain } from "../lifecycle/copy.ts";
import { ActionDue } from "./due.ts";
import { pidIn, pidLimits, registerPids } from "./pids.ts";
import { SimProcess } from "./process.ts";
import { buildProcfs, type ProcFs } from "./procfs.ts";
import { eventKey, rebuiltRunnableEvents, RunnableList, runnableEvents, type Runnable } from "./scheduler.ts";
import { SignalState } from "./signals.ts";
import { kernelFor } from "./syscalls.ts";
import { adoptNewProcess, deliverSignal, die, exitStep, sendSignal } from "./tasks.ts";
import { HARNESS, type Actor } from "./trace.ts";
import { initialCreds, toKernelId } from "./userns.ts";
import { World } from "./world.ts";
import { DEADLINE_EVERY, type RunResult, type SimOptions, type StepObserver } from "./sim-options.ts";

export class Sim {
  private readonly world: World;
  private readonly observer: StepObserver | undefined;
  private readonly atomicHandlers: boolean;
  private readonly deadline: (() => boolean) | undefined;
  private readonly checkRunnable: boolean;
  /** The runnable events of the current step, listed again into this list every step (scheduler.ts). */
  private readonly events = new RunnableList();
  /** Made from a world forked inside StepObserver.beforeChoice: its first step only makes that choice. */
  private atChoice = false;
  private stopped = false;
  private cut = false;
  private overBudget = false;

  /**
   * A run that goes on from `world`, forked (world-fork.ts) inside StepObserver.beforeChoice
   * of a run with the same program and options: that step was counted and its events listed,
   * so the first step lists them again (the same, from the same state) and asks the observer
   * and the chooser, as the original run did next.
   */
  static resumeAtChoice(world: World, options: SimOptions): Sim {
    const sim = new Sim(world.program, options, world);
    sim.atChoice = true;
    return sim;
  }

  constructor(program: Program, options: SimOptions, world?: World) {
    this.world = world ?? new World(
      {
        seed: options.seed,
        firstPid: options.firstPid ?? 100,
        limits: pidLimits(options.pidMax, options.pidWrapTo),
        faults: faultRates(options.faults),
        msPerStep: options.msPerStep ?? 1,
        maxSteps: options.maxSteps ?? 20000,
        socketQueueMax: options.socketQueueMax ?? 64,
        noSetgroupsFile: options.noSetgroupsFile ?? false,
        replay: options.replay,
        policy: options.policy,
      },
      program,
    );
    this.observer = options.observer;
    this.atomicHandlers = options.atomicHandlers ?? false;
    this.deadline = options.deadline;
    this.checkRunnable = options.checkRunnable ?? false;
  }

  /** A process in the root namespaces, child of the host's init; its work queue starts with `entry`. */
  spawn(image: Json, entry: Continuation, creds: { uid: number; gid: number; groups?: number[] }): number {
    const w = this.world;
    const hostPid = w.rootPidNs.allocator.allocate();
    if (hostPid === null) throw new Error("spawn: no free pid in the host namespace");
    const links = [{ ns: w.rootPidNs, nr: hostPid }];
    registerPids(links, hostPid);
    const ids = [creds.uid, creds.gid, ...(creds.groups ?? [])];
    if (ids.some((id) => toKernelId(w.rootUserNs, "uid", id) === null)) throw new Error(`spawn: invalid ids ${ids.join(",")}`);
    const proc = new SimProcess(
      hostPid,
      links,
      null,
      copyPlain(image),
      initialCreds(w.rootUserNs, creds.uid, creds.gid, creds.groups ?? []),
      { ...w.rootPlainNs },
      FdTable.withStdio(),
      new SignalState(),
    );
    adoptNewProcess(w, proc, entry);
    w.firstSpawned ??= proc;
    w.record(HARNESS, { kind: "action", action: { spawn: hostPid, entry: entry.fn, uid: creds.uid, gid: creds.gid } });
    return hostPid;
  }

  /** A harness action that becomes runnable at virtual time atMs. */
  at(atMs: number, label: Json, act: (sim: Sim) => void): void {
    const w = this.world;
    w.clock.schedule(atMs - w.clock.now(), new ActionDue(w, { label, act }));
  }

  /** Injects work into a live process's queue (ignored for a dead one). */
  post(pid: number, work: Continuation): void {
    const proc = this.world.proc(pid);
    this.world.record(HARNESS, { kind: "action", action: { post: pid, fn: work.fn } });
    if (proc?.alive) {
      proc.work.push(work);
      proc.touch();
    }
  }

  /** kill(pid, sig) from the host as root. */
  signal(pid: number, sig: Signal): void {
    const proc = this.world.proc(pid);
    this.world.record(HARNESS, { kind: "action", action: { signal: sig, pid } });
    if (proc !== undefined) sendSignal(this.world, proc, sig, null);
  }

  /** PR_SET_CHILD_SUBREAPER on a process from outside (a process sets its own with Kernel.prctlChildSubreaper). */
  setChildSubreaper(pid: number, on = true): void {
    const proc = this.world.proc(pid);
    if (proc !== undefined) proc.subreaper = on;
  }

  /** Runs one event; false when nothing could run (quiescent, stopped or out of steps). */
  step(): boolean {
    const w = this.world;
    if (this.stopped || this.cut || this.overBudget) return false;
    // A step resumed at its choice passed these checks before the fork.
    if (!this.atChoice && w.step >= w.config.maxSteps) return false;
    if (!this.atChoice && this.deadline !== undefined && w.step % DEADLINE_EVERY === 0 && this.deadline()) {
      this.overBudget = true;
      return false;
    }
    let list = this.runnable();
    if (list.count === 0) return false;
    if (this.atChoice) this.atChoice = false;
    else {
      w.step++;
      if (this.injectKill()) list = this.runnable();
    }
    const n = list.count;
    // A single event is no choice: the chooser returns 0 without asking the policy, and the
    // observer only sees real choices, so nobody reads its key (over half the steps). Keys
    // are made only for a reader: an observer or a policy that weighs events by name.
    const keys = n > 1 && (this.observer !== undefined || w.chooser.wantsKeys) ? list.toArray().map(eventKey) : [];
    if (this.observer !== undefined && keys.length > 1 && !this.observer.beforeChoice(w, keys)) {
      this.cut = true;
      return false;
    }
    const chosen = list.items[w.chooser.choose(n, "step", keys)];
    if (chosen !== undefined) {
      this.execute(chosen);
      this.observer?.stepped?.(w, chosen);
    }
    w.clock.advance(w.config.msPerStep);
    return true;
  }

  run(): RunResult {
    while (this.step()) {
      /* each step is atomic */
    }
    const w = this.world;
    let reason: RunResult["reason"] = "quiescent";
    if (this.cut) reason = "cut";
    else if (this.overBudget) reason = "budget";
    else if (this.stopped) reason = "internal-error";
    else if (w.step >= w.config.maxSteps && !this.quiescent()) reason = "max-steps";
    if (reason !== "cut" && reason !== "budget") this.observer?.atEnd(w);
    w.clock.release();
    return { steps: w.step, events: w.trace.events.length, reason, faults: { ...w.config.faults } };
  }

  get trace(): readonly TraceEvent[] {
    return this.world.trace.events;
  }

  traceJsonl(): string {
    return this.world.trace.jsonl();
  }

  traceHash(): string {
    return this.world.trace.hash();
  }

  get choices(): readonly number[] {
    return this.world.chooser.choices;
  }

  now(): number {
    return this.world.clock.now();
  }

  /** Every process ever created, sorted by host pid (then creation order), reaped ones included. */
  processes(): ProcessFacts[] {
    const all = this.world.allProcs.map((p, i) => ({ p, i }));
    all.sort((a, b) => a.p.hostPid - b.p.hostPid || a.i - b.i);
    return all.map(({ p }) => factsOf(p));
  }

  /** The cgroup v2 cgroup of host pid `pid` (sim/cgroups.ts), as /proc/<pid>/cgroup names it from the root. */
  cgroupOf(pid: number): string | undefined {
    return this.world.proc(pid)?.cgroup;
  }

  /** The cgroups that exist below the root now, sorted. */
  cgroupDirs(): readonly string[] {
    return [...this.world.cgroups.dirs];
  }

  /** Whether host pid `pid` is a running process (processes() without building every fact). */
  isRunning(pid: number): boolean {
    return this.world.proc(pid)?.alive ?? false;
  }

  /** `pid` (host) as seen from `viewer`'s pid namespace (host pid), 0 when invisible there. */
  pidAsSeenBy(pid: number, viewer: number): number {
    const target = this.world.proc(pid);
    const from = this.world.proc(viewer);
    if (target === undefined || from === undefined) return 0;
    return pidIn(target.pids, from.pidNs);
  }

  /** A live process's model state (the object the program mutates). */
  stateOf(pid: number): Json | undefined {
    const proc = this.world.proc(pid);
    return proc?.alive ? proc.state : undefined;
  }

  procfs(): ProcFs {
    return buildProcfs(this.world);
  }

  // ---- internals ----

  /** Runnable events now; when there are none, the clock jumps to the next timer or action. */
  private runnable(): RunnableList {
    const w = this.world;
    for (;;) {
      w.clock.fireDue();
      const events = runnableEvents(w, this.events);
      if (this.checkRunnable) sameEvents(events.toArray(), rebuiltRunnableEvents(w).toArray(), w.step);
      if (events.count > 0 || !w.clock.jumpToNext()) return events;
    }
  }

  private quiescent(): boolean {
    this.world.clock.fireDue();
    return runnableEvents(this.world, this.events).count === 0 && !this.world.clock.hasPending();
  }

  /** The killAtStep fault: SIGKILL a live process other than the first-spawned one. */
  private injectKill(): boolean {
    const w = this.world;
    if (w.config.faults.killAtStep <= 0) return false;
    const candidates = w
      .sortedProcs()
      .filter((p) => p.alive && p !== w.firstSpawned)
      .map((p) => p.hostPid);
    const victim = w.faults.killVictim(HARNESS, candidates);
    if (victim === null) return false;
    sendSignal(w, w.proc(victim)!, SIGKILL, null);
    return true;
  }

  private execute(e: Runnable): void {
    const w = this.world;
    if (e.kind !== "action") e.proc.touch();
    switch (e.kind) {
      case "action": {
        // A harness action may touch any process (conservatively: every one lists its events again).
        for (const proc of w.sortedProcs()) proc.touch();
        w.dueActions.shift();
        w.record(HARNESS, { kind: "action", action: e.action.label });
        this.guard(HARNESS, () => e.action.act(this));
        return;
      }
      case "resume":
        if (e.proc.status === "exiting") exitStep(w, e.proc);
        else if (e.proc.pendingExit !== null) die(w, e.proc, e.proc.pendingExit);
        else this.advance(e.proc);
        return;
      case "work": {
        const work = e.proc.work.shift()!;
        this.dispatch(e.proc, work);
        return;
      }
      case "signal": {
        const handler = deliverSignal(w, e.proc, e.sig);
        if (handler !== null) this.dispatch(e.proc, handler);
        return;
      }
      case "readable":
        this.dispatch(e.proc, { fn: e.fn, arg: e.fd });
        return;
      case "timer": {
        const proc = e.proc;
        proc.dueTimers.splice(proc.dueTimers.indexOf(e.id), 1);
        const work = proc.timers.get(e.id)!;
        proc.timers.delete(e.id);
        this.dispatch(proc, work);
        return;
      }
    }
  }

  /** Starts a handler: it runs up to its first scheduling point (or to its end). */
  private dispatch(proc: SimProcess, work: Continuation): void {
    const w = this.world;
    const state = proc.ownState(w.program);
    if (this.observer !== undefined) proc.position = { entry: work, entryState: copyPlain(state), results: [] };
    proc.running = w.program.run({ state, k: kernelFor(w, proc) }, work);
    this.advance(proc);
  }

  /**
   * Resumes the process's handler: the call it stopped before, then on to the next point. A
   * handler that yields EXITED (Kernel.exit) has ended: it is dropped, never resumed.
   */
  private advance(proc: SimProcess): void {
    const running = proc.running!;
    let done = true;
    try {
      let r = running.next();
      done = r.done === true || r.value === EXITED;
      while (!done && this.atomicHandlers && proc.running === running) {
        r = running.next();
        done = r.done === true || r.value === EXITED;
      }
    } catch (err) {
      if (!(err instanceof ProcessGone)) this.internalError(proc, err);
    }
    // A process that died in its own step (SIGKILL to itself) was cleared by die().
    if (done && proc.running === running) {
      proc.running = null;
      proc.position = null;
    }
  }

  /** Runs harness code: ProcessGone is normal, anything else is a bug. */
  private guard(actor: Actor, body: () => void): void {
    try {
      body();
    } catch (err) {
      if (err instanceof ProcessGone) return;
      this.internalError(actor, err);
    }
  }

  private internalError(actor: Actor, err: unknown): void {
    const message = err instanceof Error ? `${err.name}: ${err.message}` : `thrown: ${String(err)}`;
    this.world.record(actor, { kind: "internal-error", message });
    this.stopped = true;
  }
}

/** Throws when the kept runnable set differs from the rebuilt one (SimOptions.checkRunnable). */
function sameEvents(kept: readonly Runnable[], rebuilt: readonly Runnable[], step: number): void {
  const a = kept.map(eventKey).join(" ");
  const b = rebuilt.map(eventKey).join(" ");
  if (a !== b) throw new Error(`runnable set at step ${step}: kept [${a}], rebuilt [${b}]`);
}
