// Everything one run's kernel knows: processes, namespaces, sockets, the clock, the trace,
// the chooser and the fault injector. Subsystems are functions over this state.

import type { Json } from "../lifecycle/kernel.ts";
import type { Program } from "../lifecycle/program.ts";
import type { TraceBody } from "../lifecycle/trace.ts";
import { CgroupTree } from "./cgroups.ts";
import { VirtualClock } from "./clock.ts";
import { FaultInjector, type FaultRates } from "./faults.ts";
import { initialNamespaceInodes, NsInodes, type PlainNamespaces } from "./namespaces.ts";
import { PidNamespace, type PidLimits } from "./pids.ts";
import type { SharedWord, SimProcess } from "./process.ts";
import type { Sim } from "./sim.ts";
import { Chooser, type ChoicePolicy } from "./random.ts";
import { SocketRegistry } from "./sockets.ts";
import { TraceRecorder, type Actor } from "./trace.ts";
import { UserNamespace } from "./userns.ts";

export interface WorldConfig {
  seed: string | number;
  firstPid: number;
  limits: PidLimits;
  faults: FaultRates;
  msPerStep: number;
  maxSteps: number;
  socketQueueMax: number;
  noSetgroupsFile: boolean;
  replay?: readonly number[] | undefined;
  policy?: ChoicePolicy | undefined;
}

/** The host's virtual init: reaps orphans at once, never runs model code. */
export const HOST_INIT: Actor = { hostPid: 1, nsPid: 1, ptype: "" };

/** `act` gets the run's Sim; it must not hold the world itself (a forked world shares it). */
export interface HarnessAction {
  readonly label: Json;
  readonly act: (sim: Sim) => void;
}

export class World {
  readonly chooser: Chooser;
  readonly clock = new VirtualClock();
  readonly trace: TraceRecorder;
  readonly faults: FaultInjector;
  readonly inodes = new NsInodes();
  readonly sockets: SocketRegistry;
  readonly rootPidNs: PidNamespace;
  readonly rootUserNs: UserNamespace;
  readonly rootPlainNs: PlainNamespaces;
  /** Every process ever created, by host pid of creation (pids may be reused after reaping). */
  readonly allProcs: SimProcess[] = [];
  /** Live and zombie processes by host pid (change it through addProc/removeProc). */
  readonly procs = new Map<number, SimProcess>();
  /** procs in ascending host pid order, rebuilt only after procs changed (the scheduler asks every step). */
  private sorted: SimProcess[] | null = null;
  /** Harness actions whose time has come, in order. */
  readonly dueActions: HarnessAction[] = [];
  /** Every MAP_SHARED word created; a word's handle is its index + 1. */
  readonly sharedWords: SharedWord[] = [];
  /** The cgroup v2 hierarchy (sim/cgroups.ts). */
  readonly cgroups = new CgroupTree();
  step = 0;
  firstSpawned: SimProcess | null = null;

  constructor(
    readonly config: WorldConfig,
    readonly program: Program,
  ) {
    this.chooser = new Chooser({ seed: config.seed, replay: config.replay, policy: config.policy });
    this.trace = new TraceRecorder(() => this.clock.now(), () => this.step);
    this.faults = new FaultInjector(config.faults, this.chooser, this.trace);
    this.sockets = new SocketRegistry(config.socketQueueMax);
    const inodes = initialNamespaceInodes(this.inodes);
    this.rootPlainNs = { mnt: inodes.mnt, net: inodes.net, uts: inodes.uts, ipc: inodes.ipc, cgroup: inodes.cgroup };
    this.rootPidNs = new PidNamespace(inodes.pid, null, config.limits, config.firstPid);
    this.rootUserNs = new UserNamespace(inodes.user, null, 0, 0);
    this.rootPidNs.allocator.reserve(1); // the host's init
  }

  /** Live or zombie process by host pid. */
  proc(hostPid: number): SimProcess | undefined {
    return this.procs.get(hostPid);
  }

  // The sorted list is kept in place as processes come and go: sorting it again at every
  // fork and reap was the largest allocation of the scheduler's own.
  addProc(proc: SimProcess): void {
    const sorted = this.procs.has(proc.hostPid) ? null : this.sorted;
    this.procs.set(proc.hostPid, proc);
    this.sorted = sorted;
    if (sorted === null) return;
    let at = sorted.length;
    sorted.push(proc);
    for (; at > 0 && sorted[at - 1]!.hostPid > proc.hostPid; at--) sorted[at] = sorted[at - 1]!;
    sorted[at] = proc;
  }

  removeProc(proc: SimProcess): void {
    if (!this.procs.delete(proc.hostPid)) return;
    const sorted = this.sorted;
    if (sorted === null) return;
    let at = 0;
    while (sorted[at]!.hostPid !== proc.hostPid) at++;
    for (; at < sorted.length - 1; at++) sorted[at] = sorted[at + 1]!;
    sorted.pop();
  }

  /** Live and zombie processes in ascending host pid order (shared: do not modify). */
  sortedProcs(): readonly SimProcess[] {
    this.sorted ??= [...this.procs.values()].sort((a, b) => a.hostPid - b.hostPid);
    return this.sorted;
  }

  record(actor: Actor, body: TraceBody): void {
    this.trace.record(actor, body);
  }
}
