// A simulated process (Linux's task_struct, reduced to what the lifecycle model touches).

import { SIGINT, SIGTERM, type Continuation, type Json, type Kernel, type Signal, type Sys } from "../lifecycle/kernel.ts";
import { copyPlain } from "../lifecycle/copy.ts";
import type { Program } from "../lifecycle/program.ts";
import type { FdTable } from "./fds.ts";
import type { PlainNamespaces } from "./namespaces.ts";
import type { PidLink, PidNamespace } from "./pids.ts";
import type { SignalState } from "./signals.ts";
import type { SocketEnd } from "./sockets.ts";
import { resumeEventOf, workEventOf, type Runnable, type RunnableList } from "./scheduler.ts";
import type { Actor } from "./trace.ts";
import type { Creds } from "./userns.ts";

/** "exiting": in do_exit, running none of its code, releasing its files (sim/tasks.ts exitStep). */
export type ProcStatus = "running" | "exiting" | "zombie" | "reaped";

export interface ExitInfo {
  readonly status: number | null;
  readonly signal: Signal | null;
}

export interface HandlerPosition {
  readonly entry: Continuation;
  readonly entryState: Json;
  readonly results: Json[];
}

/** A blocking ppoll of one fd: its timeout is a clock timer of its own (sim/due.ts PollTimeoutDue). */
export interface PollWait {
  readonly fd: number;
  readonly events: number;
  readonly timer: number;
  timedOut: boolean;
}

export interface SharedWord {
  value: number;
}

/** A copy of a process's model state, as a fork makes it (the program's own copier where it has one). */
export function copyImage(program: Program, image: Json): Json {
  return program.copyImage?.(image) ?? copyPlain(image);
}

/** A copy of a message's data, the program's own when it has one. */
export function copyMessage(program: Program, data: Json): Json {
  return program.copyMessage === undefined ? copyPlain(data) : program.copyMessage(data);
}

export class SimProcess implements Actor {
  /** Parent process; null means the host's virtual init (pid 1), which reaps at once. */
  parent: SimProcess | null;
  /** Children in the order they became children (birth or adoption). */
  readonly children = new Set<SimProcess>();
  status: ProcStatus = "running";
  exit: ExitInfo | null = null;
  /** Last process type the model reported for this process. */
  ptype = "";
  /** Its cgroup v2 cgroup, from the root (sim/cgroups.ts): inherited at clone. */
  cgroup = "/";
  /** PR_SET_CHILD_SUBREAPER (Kernel.prctlChildSubreaper, or the harness's Sim.setChildSubreaper). */
  subreaper = false;
  /** pid_ns_for_children once unshare(CLONE_NEWPID) set one; null: its own pid namespace. */
  pidNsForChildren: PidNamespace | null = null;
  /** A ppoll it sleeps in (Kernel.ppoll): offered again when the fd is ready, the time is out or SIGINT/SIGTERM waits. */
  polling: PollWait | null = null;
  /** Unit's event-engine work queue; a new process starts with its clone continuation. */
  readonly work: Continuation[] = [];
  /** Watched fds and the continuation to run when readable. */
  readonly watches = new Map<number, string>();
  /** Live timers: id -> work. */
  readonly timers = new Map<number, Continuation>();
  /** Timers whose time has come, in firing order. */
  readonly dueTimers: number[] = [];
  /** MAP_SHARED words mapped in this process: handle -> the word all holders share. */
  readonly shared = new Map<number, SharedWord>();
  kernel: Kernel | null = null;
  /**
   * The handler the process is in the middle of, suspended just before a scheduling point
   * (it goes on when the scheduler picks its "resume"); null while it waits in its event loop.
   */
  running: Sys<void> | null = null;
  /** An exit or abort the process has made: it dies at its next step. */
  pendingExit: ExitInfo | null = null;
  /** A socket end its close left dead, whose peer it has yet to shut down (close's second point). */
  releasing: SocketEnd | null = null;
  /** A namespace init in zap_pid_ns_processes: its members were killed, it waits for them. */
  zapping = false;
  /**
   * Where the process stands in its handler, as plain data, kept only for the exhaustive
   * search's state digest (the generator itself is opaque): the work it started from, its
   * state then, and every result the kernel has returned to it since.
   */
  position: HandlerPosition | null = null;

  /**
   * Whether `state` is shared with a copy of the world (sim/world-fork.ts): a fork costs no
   * copy of the model state, and whichever world starts a handler of it first copies it then.
   */
  stateShared = false;

  /**
   * The events this process offers the scheduler, kept between steps (scheduler.ts); listed
   * again, into the same array, when stale or null (a world copy drops it).
   */
  offered: RunnableList | null = null;
  /** Something the kept events depend on changed since they were listed (touch). */
  offeredStale = true;

  /** This process's "resume" and "work" events, made once: the scheduler offers them every step. */
  readonly resumeEvent: Runnable = resumeEventOf(this);
  readonly workEvent: Runnable = workEventOf(this);

  constructor(
    readonly hostPid: number,
    readonly pids: readonly PidLink[],
    parent: SimProcess | null,
    public state: Json,
    readonly creds: Creds,
    readonly ns: PlainNamespaces,
    readonly fds: FdTable,
    readonly signals: SignalState,
  ) {
    this.parent = parent;
  }

  /** Makes the model state this process's own before a handler changes it: copied if a world copy shares it. */
  ownState(program: Program): Json {
    if (this.stateShared) {
      this.state = copyImage(program, this.state);
      this.stateShared = false;
    }
    return this.state;
  }

  /** Something the scheduler's list of this process's events depends on may have changed. */
  touch(): void {
    this.offeredStale = true;
  }

  /** The pid namespace the process lives in (its innermost one). */
  get pidNs(): PidNamespace {
    return this.pids[this.pids.length - 1]!.ns;
  }

  /** What ends a ppoll's sleep besides its fd and its timeout: SIGINT or SIGTERM pending with a handler (it blocks the others). */
  pollInterrupted(): boolean {
    for (const sig of [SIGINT, SIGTERM] as const) {
      if (this.signals.isPending(sig) && typeof this.signals.disposition(sig) === "object") return true;
    }
    return false;
  }

  /** The pid namespace its next child is born in (pid_ns_for_children). */
  get childPidNs(): PidNamespace {
    return this.pidNsForChildren ?? this.pidNs;
  }

  /** getpid() as the process itself sees it. */
  get nsPid(): number {
    return this.pids[this.pids.length - 1]!.nr;
  }

  get alive(): boolean {
    return this.status === "running";
  }

  /** Init (pid 1) of a non-root pid namespace: protected from default-action signals. */
  get isNsInit(): boolean {
    return this.nsPid === 1 && this.pidNs.parent !== null;
  }
}
